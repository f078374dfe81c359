import type { ApiEnvelope } from '@gatehouse/contracts';
import { hashPassword } from '@gatehouse/crypto';
import {
  cookieHeader,
  insertUser,
  type LoggedIn,
  login,
  type SessionBody,
  setCookies,
  setUserActive,
} from '@gatehouse/testing/auth-client';
import { type JsonResponse, request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { sleep } from '@gatehouse/testing/wait-for';
import { decodeJwt } from './jwt-forge';

/** Refresh sessions of the real gateway process: rotation through the cookie and the body, reuse
 *  detection that revokes the whole family, one winner between concurrent refreshes, logout and
 *  deactivation ending the session for refresh and validation alike. */

const ADMIN = 'admin';
const ADMIN_PASSWORD = 'Adm1n-e2e-sessions-Str0ng!';
const PASSWORD = 'Us3r-e2e-sessions-Str0ng!';
const GRACE_SECONDS = 1;
const INVALID_REFRESH = {
  code: 'UNAUTHENTICATED',
  message: 'Invalid or expired refresh token',
  data: null,
};

type SessionEnvelope = ApiEnvelope<SessionBody | null>;

/** The session (refresh family) an access token belongs to. */
function sidOf(accessToken: string): unknown {
  return decodeJwt(accessToken).payload.sid;
}

describe('auth gateway: sessions', () => {
  let suite: Suite;
  let gateway: string;
  let passwordHash: string;
  let userCount = 0;

  /** A fresh local user, logged in. */
  async function newSession(): Promise<LoggedIn & { userId: number }> {
    userCount += 1;
    const username = `session.user.${userCount}`;
    const userId = await insertUser(suite.database.url, {
      username,
      passwordHash,
      roles: [{ system: 'TTS', role: 'User' }],
    });
    return { ...(await login(gateway, username, PASSWORD)), userId };
  }

  /** POST /api/v1/auth/refresh with the token in the JSON body (no cookie, so no CSRF check). */
  const refreshWithBody = (refreshToken: string): Promise<JsonResponse<SessionEnvelope>> =>
    request<SessionEnvelope>(`${gateway}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });

  /** GET seed 001's validate route with a Bearer token. */
  const validate = (accessToken: string): Promise<JsonResponse<Record<string, unknown>>> =>
    request<Record<string, unknown>>(`${gateway}/api/v1/users/token/validate/`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });

  function expectRefused(response: JsonResponse<SessionEnvelope>): void {
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject(INVALID_REFRESH);
    expect(response.headers.getSetCookie()).toEqual([]);
  }

  beforeAll(async () => {
    [suite, passwordHash] = await Promise.all([
      Suite.start({
        label: 'auth-sessions',
        env: {
          GATEHOUSE_ADMIN_USERNAME: ADMIN,
          GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
          REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS),
        },
      }),
      hashPassword(PASSWORD),
    ]);
    gateway = suite.apps['auth-gateway'].baseUrl;
  });

  afterAll(async () => {
    await suite?.stop();
  });

  describe('refresh', () => {
    it('rotates through the cookie: new tokens, new cookies, the new access token valid', async () => {
      const session = await newSession();
      const response = await request<SessionEnvelope>(`${gateway}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { cookie: session.cookie, origin: gateway },
      });
      expect(response.status).toBe(200);
      expect(response.body.code).toBe('S');
      const data = response.body.data;
      expect(data).toMatchObject({
        id: session.userId,
        systems: ['TTS'],
        roles: [{ system: 'TTS', role: 'User' }],
        token_type: 'Bearer',
      });
      expect(data?.refresh_token).toMatch(/^rt1\./);
      expect(data?.refresh_token).not.toBe(session.refreshToken);
      expect(data?.access_token).not.toBe(session.accessToken);
      const cookies = setCookies(response.headers);
      expect(cookies.get('refresh_token')?.value).toBe(data?.refresh_token);
      expect(cookies.get('access_token')?.value).toBe(data?.access_token);

      const valid = await validate(data?.access_token ?? '');
      expect(valid.status).toBe(200);
      expect(valid.body).toMatchObject({ user_id: session.userId, token_use: 'access' });
      // Same session (refresh family), new token id.
      expect(valid.body.sid).toBe(sidOf(session.accessToken));
      expect(valid.body.jti).not.toBe(decodeJwt(session.accessToken).payload.jti);
    });

    it('rotates through the body', async () => {
      const session = await newSession();
      const response = await refreshWithBody(session.refreshToken);
      expect(response.status).toBe(200);
      expect(response.body.data?.refresh_token).toMatch(/^rt1\./);
      expect(response.body.data?.refresh_token).not.toBe(session.refreshToken);
      expect((await validate(response.body.data?.access_token ?? '')).status).toBe(200);
    });

    it('refuses a missing, malformed or unknown refresh token', async () => {
      for (const body of [
        {},
        { refresh_token: null },
        { refresh_token: 42 },
        { refresh_token: 'x' },
      ]) {
        const response = await request<SessionEnvelope>(`${gateway}/api/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expectRefused(response);
      }
      expectRefused(await refreshWithBody(`rt1.${'A'.repeat(43)}`));
    });

    it('refuses a cookie refresh from another origin', async () => {
      const session = await newSession();
      const response = await request<SessionEnvelope>(`${gateway}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { cookie: session.cookie, origin: 'https://evil.example' },
      });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
      // Refused before it was used: the token still rotates.
      expect((await refreshWithBody(session.refreshToken)).status).toBe(200);
    });

    it('after the grace window, a reused rotated token gets 401 and revokes the whole family', async () => {
      const session = await newSession();
      const rotated = await refreshWithBody(session.refreshToken);
      expect(rotated.status).toBe(200);
      const next = rotated.body.data;
      if (!next) throw new Error('no session in the refresh answer');

      await sleep((GRACE_SECONDS + 1) * 1000 + 200);
      expectRefused(await refreshWithBody(session.refreshToken));
      // The family is revoked: the legitimate newest token and its access token die too.
      expectRefused(await refreshWithBody(next.refresh_token));
      const validation = await validate(next.access_token);
      expect(validation.status).toBe(401);
      expect(validation.body).toEqual({ error: 'Invalid token', code: 'UNAUTHENTICATED' });
    });

    it('inside the grace window, a reused rotated token gets 401 without revoking the family', async () => {
      const session = await newSession();
      const rotated = await refreshWithBody(session.refreshToken);
      expect(rotated.status).toBe(200);
      expectRefused(await refreshWithBody(session.refreshToken));
      const again = await refreshWithBody(rotated.body.data?.refresh_token ?? '');
      expect(again.status).toBe(200);
    });

    it('lets exactly one of several concurrent refreshes with one token win', async () => {
      for (const parallel of [2, 5]) {
        const session = await newSession();
        const answers = await Promise.all(
          Array.from({ length: parallel }, () => refreshWithBody(session.refreshToken)),
        );
        const winners = answers.filter((answer) => answer.status === 200);
        expect(winners).toHaveLength(1);
        for (const loser of answers.filter((answer) => answer.status !== 200)) {
          expectRefused(loser);
        }
        // The one family lives on through the winner's token: no second family was started.
        const winner = winners[0]?.body.data;
        expect(sidOf(winner?.access_token ?? '')).toBe(sidOf(session.accessToken));
        expect((await validate(winner?.access_token ?? '')).status).toBe(200);
        expect((await refreshWithBody(winner?.refresh_token ?? '')).status).toBe(200);
      }
    });
  });

  describe('logout', () => {
    it('ends the session: refresh, validation and /me all 401 afterwards', async () => {
      const session = await newSession();
      const me = `${gateway}/api/v1/auth/me`;
      const before = await request<ApiEnvelope<Record<string, unknown>>>(me, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      expect(before.status).toBe(200);
      expect(before.body.data).toMatchObject({ user_id: session.userId });

      const logout = await request<ApiEnvelope<null>>(`${gateway}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { cookie: session.cookie, origin: gateway },
      });
      expect(logout.status).toBe(200);
      expect(logout.body).toMatchObject({ code: 'S', data: null });
      const cleared = setCookies(logout.headers);
      for (const name of ['access_token', 'refresh_token']) {
        expect(cleared.get(name)?.value).toBe('');
        expect(cleared.get(name)?.attributes).toHaveProperty('httponly');
      }

      expectRefused(await refreshWithBody(session.refreshToken));
      const validation = await validate(session.accessToken);
      expect(validation.status).toBe(401);
      expect(validation.body).toEqual({ error: 'Invalid token', code: 'UNAUTHENTICATED' });
      const after = await request<ApiEnvelope<null>>(me, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ code: 'UNAUTHENTICATED', data: null });
      const afterCookie = await request<ApiEnvelope<null>>(me, {
        headers: { cookie: cookieHeader({ access_token: session.accessToken }) },
      });
      expect(afterCookie.status).toBe(401);
    });

    it('ends the session of a Bearer access token when no refresh token is sent', async () => {
      const session = await newSession();
      const logout = await request<ApiEnvelope<null>>(`${gateway}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      expect(logout.status).toBe(200);
      expectRefused(await refreshWithBody(session.refreshToken));
      expect((await validate(session.accessToken)).status).toBe(401);
    });

    it('leaves the other sessions of the same user alone', async () => {
      const session = await newSession();
      const other = await login(gateway, `session.user.${userCount}`, PASSWORD);
      const logout = await request<ApiEnvelope<null>>(`${gateway}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: session.refreshToken }),
      });
      expect(logout.status).toBe(200);
      expect((await validate(session.accessToken)).status).toBe(401);
      expect((await validate(other.accessToken)).status).toBe(200);
      expect((await refreshWithBody(other.refreshToken)).status).toBe(200);
    });
  });

  describe('deactivation', () => {
    it('after UPDATE users SET active=false, refresh gets 401, then the session no longer validates, and login fails', async () => {
      const session = await newSession();
      await setUserActive(suite.database.url, session.userId, false);

      expectRefused(await refreshWithBody(session.refreshToken));
      expect((await validate(session.accessToken)).status).toBe(401);
      const relogin = await request<SessionEnvelope>(`${gateway}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `session.user.${userCount}`, password: PASSWORD }),
      });
      expect(relogin.status).toBe(401);
      expect(relogin.body).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'Invalid username or password',
      });

      // Reactivated, the user logs in again, but the refused session stays ended.
      await setUserActive(suite.database.url, session.userId, true);
      expectRefused(await refreshWithBody(session.refreshToken));
      await login(gateway, `session.user.${userCount}`, PASSWORD);
    });
  });
});
