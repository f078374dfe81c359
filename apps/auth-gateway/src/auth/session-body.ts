import type { UserInfo } from '@gatehouse/contracts';
import type { IssuedSession } from '../sessions/session.service';

/** What a login or a refresh answers in its envelope's data: the user (seed 001's user-info
 *  body) and the session's tokens. */
export interface SessionBody extends UserInfo {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

export const LOGIN_SUCCESS_MESSAGE = '登录成功';

export function sessionBody(session: IssuedSession): SessionBody {
  return {
    ...session.user,
    access_token: session.accessToken,
    refresh_token: session.refreshToken,
    expires_in: session.expiresIn,
    token_type: 'Bearer',
  };
}

/** The login body's fields; anything but an object is no fields (a failed login, never a 400). */
export function loginFields(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}
