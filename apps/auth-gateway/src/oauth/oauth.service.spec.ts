import type { ApplicationsRepository, ClientRecord } from '../applications/applications.repository';
import { hashClientSecret } from '../applications/applications.service';
import type { SessionStore } from '../sessions/session.store';
import type { AccessTokenSubject, TokenService } from '../tokens/token.service';
import type { OAuthRateLimitStore } from './oauth-rate-limit.store';
import { OAuthError } from './oauth.error';
import { OAuthService, type TokenRequest } from './oauth.service';

const SECRET = 'ghs_the-secret-of-the-client';
const CLIENT: ClientRecord = {
  id: '7',
  tenantId: '1',
  clientId: 'gh_client',
  secretHash: hashClientSecret(SECRET),
  grantTypes: ['client_credentials'],
  scopes: ['users:read', 'tickets:write'],
  active: true,
};
const FORM = 'application/x-www-form-urlencoded';

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

describe('OAuthService (client_credentials)', () => {
  let issued: AccessTokenSubject[];
  let sessions: { tenantId: string; subject: string; countLive: boolean }[];
  let wait: number;
  let client: ClientRecord | undefined;

  function service(): OAuthService {
    const apps = {
      findClient: (clientId: string) =>
        Promise.resolve(clientId === client?.clientId ? client : undefined),
      touch: () => Promise.resolve(),
    } as unknown as ApplicationsRepository;
    const tokens = {
      accessTtlSeconds: 900,
      issue: (subject: AccessTokenSubject) => {
        issued.push(subject);
        return Promise.resolve({ token: 'signed.jwt', claims: subject });
      },
    } as unknown as TokenService;
    const store = {
      create: (
        tenantId: string,
        subject: string,
        _ttl: number,
        { countLive = true }: { countLive?: boolean } = {},
      ) => {
        sessions.push({ tenantId, subject, countLive });
        return Promise.resolve({ familyId: 'fam-1', refreshToken: 'unused' });
      },
    } as unknown as SessionStore;
    const limit = { take: () => Promise.resolve(wait) } as unknown as OAuthRateLimitStore;
    return new OAuthService(apps, tokens, store, limit);
  }

  const ask = (request: Partial<TokenRequest>) =>
    service().token({
      contentType: FORM,
      authorization: undefined,
      body: {},
      address: '::1',
      ...request,
    });

  async function refusal(request: Partial<TokenRequest>): Promise<OAuthError> {
    const error = await ask(request).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof OAuthError))
      throw new Error(`expected an OAuthError, got ${String(error)}`);
    return error;
  }

  beforeEach(() => {
    issued = [];
    sessions = [];
    wait = 0;
    client = { ...CLIENT };
  });

  it('issues a token with every granted scope to a client authenticated with Basic', async () => {
    const answer = await ask({
      authorization: basic('gh_client', SECRET),
      body: { grant_type: 'client_credentials' },
    });
    expect(answer).toEqual({
      access_token: 'signed.jwt',
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'users:read tickets:write',
    });
    expect(issued[0]).toMatchObject({
      sub: 'client:gh_client',
      user_id: 0,
      tenant_id: '1',
      client_id: 'gh_client',
      permissions: [],
      sid: 'fam-1',
    });
    expect(sessions).toEqual([{ tenantId: '1', subject: 'app:7', countLive: false }]);
  });

  it('narrows the scopes to those asked for, and refuses others', async () => {
    const body = {
      grant_type: 'client_credentials',
      client_id: 'gh_client',
      client_secret: SECRET,
    };
    expect((await ask({ body: { ...body, scope: 'users:read' } })).scope).toBe('users:read');
    const refused = await refusal({ body: { ...body, scope: 'users:read admin' } });
    expect([refused.error, refused.status]).toEqual(['invalid_scope', 400]);
  });

  it('answers an unknown client, a wrong secret and a disabled client alike', async () => {
    const body = { grant_type: 'client_credentials' };
    const unknown = await refusal({ authorization: basic('gh_nobody', SECRET), body });
    const wrong = await refusal({ authorization: basic('gh_client', 'wrong'), body });
    client = { ...CLIENT, active: false };
    const disabled = await refusal({ authorization: basic('gh_client', SECRET), body });
    for (const error of [unknown, wrong, disabled]) {
      expect([error.error, error.status, error.description]).toEqual([
        'invalid_client',
        401,
        'Client authentication failed',
      ]);
      expect(error.headers['WWW-Authenticate']).toMatch(/^Basic/);
    }
    expect(issued).toEqual([]);
  });

  it('refuses bad requests with the RFC 6749 codes', async () => {
    const auth = basic('gh_client', SECRET);
    const cases: [Partial<TokenRequest>, string, number][] = [
      [{ contentType: 'application/json', authorization: auth }, 'invalid_request', 400],
      [{ authorization: auth, body: {} }, 'invalid_request', 400],
      [{ authorization: auth, body: { grant_type: ['a', 'b'] } }, 'invalid_request', 400],
      [{ authorization: auth, body: { grant_type: 'password' } }, 'unsupported_grant_type', 400],
      [
        { authorization: auth, body: { grant_type: 'client_credentials', client_id: 'gh_client' } },
        'invalid_request',
        400,
      ],
      [
        { authorization: 'Basic !!!', body: { grant_type: 'client_credentials' } },
        'invalid_client',
        401,
      ],
    ];
    for (const [request, code, status] of cases) {
      const error = await refusal(request);
      expect([request, error.error, error.status]).toEqual([request, code, status]);
    }
    client = { ...CLIENT, grantTypes: ['authorization_code'] };
    const unauthorized = await refusal({
      authorization: auth,
      body: { grant_type: 'client_credentials' },
    });
    expect(unauthorized.error).toBe('unauthorized_client');
  });

  it('answers 429 with Retry-After when the client is over its rate', async () => {
    wait = 12;
    const error = await refusal({
      authorization: basic('gh_client', SECRET),
      body: { grant_type: 'client_credentials' },
    });
    expect([error.error, error.status, error.headers['Retry-After']]).toEqual([
      'temporarily_unavailable',
      429,
      '12',
    ]);
  });
});
