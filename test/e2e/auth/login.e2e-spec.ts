import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApiEnvelope } from '@gatehouse/contracts';
import { hashPassword } from '@gatehouse/crypto';
import {
  insertUser,
  login,
  postLogin,
  type SessionBody,
  setCookies,
} from '@gatehouse/testing/auth-client';
import { AppProcess } from '@gatehouse/testing/app-process';
import { freePort } from '@gatehouse/testing/free-port';
import { request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { sleep, waitFor } from '@gatehouse/testing/wait-for';

/** Login over HTTP against the real gateway process: the session answer and its cookies, one
 *  indistinguishable failure for every bad credential, the Redis lockout under parallel guesses,
 *  client-address buckets that X-Forwarded-For cannot choose, CSRF and CORS. */

const ADMIN = 'admin';
const ADMIN_PASSWORD = 'Adm1n-e2e-login-Str0ng!';
const PASSWORD = 'Us3r-e2e-login-Str0ng!';
const ACCESS_TTL = 600;
const LOCKOUT_SECONDS = 2;
const LOCKOUT_MAX_SECONDS = 4;
const ALLOWED_ORIGIN = 'https://app.example';
const EVIL_ORIGIN = 'https://evil.example';

const ENV: NodeJS.ProcessEnv = {
  GATEHOUSE_ADMIN_USERNAME: ADMIN,
  GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL),
  LOGIN_MAX_FAILURES: '3',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
  LOGIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
  LOGIN_LOCKOUT_MAX_SECONDS: String(LOCKOUT_MAX_SECONDS),
  CORS_ORIGINS: ALLOWED_ORIGIN,
};

type Envelope = ApiEnvelope<SessionBody | null>;

/** An error envelope without the parts that differ on every answer. */
function comparable(body: Envelope | undefined): unknown {
  if (!body) return body;
  const { requestId: _requestId, ...extensions } = body.extensions;
  return { code: body.code, message: body.message, data: body.data, extensions };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

interface RawAnswer {
  status: number;
  body: string;
}

/** A login from another client address: the request leaves from `localAddress` (any 127.x.y.z
 *  reaches the gateway bound on 127.0.0.1), so the gateway sees a different socket address. */
function loginFrom(
  localAddress: string,
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const url = new URL('/api/v1/auth/login', baseUrl);
  const payload = JSON.stringify(body);
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        timeout: 10000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('login request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('auth gateway: login, lockout, CSRF and CORS', () => {
  let suite: Suite;
  let gateway: string;
  let passwordHash: string;
  /** A second gateway process on the same database and Redis, started by one test. */
  let replica: AppProcess | undefined;

  /** A local user of tenant 1 with PASSWORD; each lockout test gets its own. */
  async function user(username: string, extra: { active?: boolean } = {}): Promise<number> {
    return insertUser(suite.database.url, {
      username,
      passwordHash,
      email: `${username}@example.com`,
      firstName: 'E2e',
      lastName: username,
      ...extra,
    });
  }

  /** Sequential wrong-password logins; resolves with each answer. */
  async function wrongLogins(
    username: string,
    count: number,
    headers: Record<string, string> = {},
  ): Promise<Awaited<ReturnType<typeof postLogin>>[]> {
    const answers: Awaited<ReturnType<typeof postLogin>>[] = [];
    for (let i = 0; i < count; i += 1) {
      answers.push(await postLogin(gateway, { username, password: `wrong-${i}` }, headers));
    }
    return answers;
  }

  beforeAll(async () => {
    [suite, passwordHash] = await Promise.all([
      Suite.start({ label: 'auth-login', env: ENV }),
      hashPassword(PASSWORD),
    ]);
    gateway = suite.apps['auth-gateway'].baseUrl;
  });

  afterAll(async () => {
    await replica?.stop('SIGTERM');
    await suite?.stop();
  });

  describe('a successful login', () => {
    it('answers the user-info body with both tokens in a success envelope', async () => {
      const { response } = await login(gateway, ADMIN, ADMIN_PASSWORD);
      expect(response.status).toBe(200);
      expect(response.body.code).toBe('S');
      expect(typeof response.body.message).toBe('string');
      expect(response.body.timestamp).toMatch(/^\d{13}$/);
      const data = response.body.data;
      expect(Object.keys(data).sort()).toEqual(
        [
          'access_token',
          'company_id',
          'email',
          'expires_in',
          'first_name',
          'id',
          'last_name',
          'refresh_token',
          'roles',
          'systems',
          'token_type',
        ].sort(),
      );
      expect(data).toMatchObject({
        email: null,
        first_name: 'Gatehouse',
        last_name: 'Administrator',
        company_id: null,
        systems: [],
        roles: [],
        expires_in: ACCESS_TTL,
        token_type: 'Bearer',
      });
      expect(Number.isInteger(data.id)).toBe(true);
      expect(data.access_token.split('.')).toHaveLength(3);
      expect(data.refresh_token).toMatch(/^rt1\./);
      // Tokens in the body: never cached, never sniffed.
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('answers the roles and systems of a user with grants', async () => {
      const id = await insertUser(suite.database.url, {
        username: 'grace.tech',
        passwordHash,
        email: 'grace@example.com',
        firstName: 'Grace',
        lastName: 'Hopper',
        companyId: 'MA0001',
        roles: [
          { system: 'TTS', role: 'Technician' },
          { system: 'AMS', role: 'User' },
        ],
      });
      const { response } = await login(gateway, 'Grace.Tech', PASSWORD);
      const data = response.body.data;
      expect({ ...data, access_token: 'x', refresh_token: 'x' }).toEqual({
        id,
        email: 'grace@example.com',
        first_name: 'Grace',
        last_name: 'Hopper',
        company_id: 'MA0001',
        systems: expect.arrayContaining(['TTS', 'AMS']) as unknown,
        roles: expect.arrayContaining([
          { system: 'TTS', role: 'Technician' },
          { system: 'AMS', role: 'User' },
        ]) as unknown,
        access_token: 'x',
        refresh_token: 'x',
        expires_in: ACCESS_TTL,
        token_type: 'Bearer',
      });
      expect(data.systems).toHaveLength(2);
      expect(data.roles).toHaveLength(2);
    });

    it('sets HttpOnly SameSite cookies, not Secure under NODE_ENV=test', async () => {
      const { response, accessToken, refreshToken } = await login(gateway, ADMIN, ADMIN_PASSWORD);
      const cookies = setCookies(response.headers);
      const access = cookies.get('access_token');
      const refresh = cookies.get('refresh_token');
      expect(access?.value).toBe(accessToken);
      expect(refresh?.value).toBe(refreshToken);
      for (const cookie of [access, refresh]) {
        expect(cookie?.attributes).toHaveProperty('httponly');
        expect(cookie?.attributes).not.toHaveProperty('secure');
        expect(['lax', 'strict']).toContain(cookie?.attributes.samesite?.toLowerCase());
      }
      expect(access?.attributes.path).toBe('/');
      expect(access?.attributes['max-age']).toBe(String(ACCESS_TTL));
      expect(refresh?.attributes.samesite?.toLowerCase()).toBe('strict');
      expect(refresh?.attributes.path).toBe('/api/v1/auth');
    });
  });

  describe('answered ahead of Express (login-fast-path.ts) and through it', () => {
    /** Headers an answer must carry the same either way. */
    const SAME_HEADERS = [
      'content-type',
      'cache-control',
      'x-content-type-options',
      'x-frame-options',
      'referrer-policy',
      'content-security-policy',
      'retry-after',
      'x-request-id',
    ];

    /** The same POST twice: plain (the fast path takes it) and with a Referer (a browser's
     *  header: the fast path declines it and Express answers). */
    async function both(
      body: string,
      requestId: string,
    ): Promise<[Awaited<ReturnType<typeof request>>, Awaited<ReturnType<typeof request>>]> {
      const send = (extra: Record<string, string>) =>
        request<Envelope>(`${gateway}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...extra },
          body,
          timeoutMs: 10000,
        });
      return [await send({}), await send({ referer: `${gateway}/` })];
    }

    function comparableAnswer(
      answer: Awaited<ReturnType<typeof request>>,
      headers: string[] = SAME_HEADERS,
    ): unknown {
      const body = answer.body as Envelope | undefined;
      const data = body?.data;
      return {
        status: answer.status,
        headers: Object.fromEntries(headers.map((name) => [name, answer.headers.get(name)])),
        code: body?.code,
        message: body?.message,
        timestamp: typeof body?.timestamp,
        requestId: body?.extensions.requestId,
        extensions: body ? { ...body.extensions, requestId: undefined } : undefined,
        data: data ? { ...data, access_token: 'x', refresh_token: 'x' } : data,
        cookies: [...setCookies(answer.headers).values()].map((cookie) => {
          const { expires, ...attributes } = cookie.attributes;
          return { name: cookie.name, attributes, expires: typeof expires };
        }),
      };
    }

    it.each([
      ['a successful login', () => JSON.stringify({ username: ADMIN, password: ADMIN_PASSWORD })],
      ['a wrong password', () => JSON.stringify({ username: 'fast.nobody', password: 'nope' })],
      ['malformed JSON', () => '{"username": '],
      ['a JSON string', () => '"admin"'],
      ['a JSON array', () => '[1, 2]'],
      ['an empty body', () => ''],
    ])('answers %s the same', async (label, makeBody) => {
      const requestId = `e2e-fast-${label.replace(/\W+/g, '-')}`;
      const [fast, express] = await both(makeBody(), requestId);
      expect(comparableAnswer(fast)).toEqual(comparableAnswer(express));
      expect(fast.headers.get('x-request-id')).toBe(requestId);
    });

    it('answers the same 429 with Retry-After once the user is locked', async () => {
      await user('fast.locked');
      const body = JSON.stringify({ username: 'fast.locked', password: 'wrong' });
      for (let attempt = 0; attempt < 4; attempt += 1) {
        await postLogin(gateway, JSON.parse(body));
      }
      const [fast, express] = await both(body, 'e2e-fast-locked');
      expect(fast.status).toBe(429);
      // The wait counts down between the two answers; each names one.
      for (const answer of [fast, express]) {
        expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      }
      const headers = SAME_HEADERS.filter((name) => name !== 'retry-after');
      expect(comparableAnswer(fast, headers)).toEqual(comparableAnswer(express, headers));
    });

    it('gives the session cookies the same attributes', async () => {
      const [fast] = await both(
        JSON.stringify({ username: ADMIN, password: ADMIN_PASSWORD }),
        'e2e-fast-cookies',
      );
      const cookies = setCookies(fast.headers);
      const data = (fast.body as Envelope).data;
      expect(cookies.get('access_token')?.value).toBe(data?.access_token);
      expect(cookies.get('refresh_token')?.value).toBe(data?.refresh_token);
      const expires = Date.parse(cookies.get('access_token')?.attributes.expires ?? '');
      expect(Math.abs(expires - (Date.now() + ACCESS_TTL * 1000))).toBeLessThan(10_000);
    });
  });

  describe('a failed login', () => {
    const expected = {
      code: 'UNAUTHENTICATED',
      message: 'Invalid username or password',
      data: null,
      extensions: {},
    };

    const cases: [string, () => Promise<unknown>][] = [
      ['a wrong password', async () => ({ username: await name('wrong'), password: 'nope' })],
      ['an unknown user', () => Promise.resolve({ username: 'nobody.here', password: PASSWORD })],
      ['an empty password', async () => ({ username: await name('empty'), password: '' })],
      ['a missing password', async () => ({ username: await name('missing') })],
      ['a null password', async () => ({ username: await name('null'), password: null })],
      [
        'an array holding the right password',
        async () => ({ username: await name('array'), password: [PASSWORD] }),
      ],
      [
        'an object password',
        async () => ({ username: await name('object'), password: { $ne: null } }),
      ],
      ['the username *', () => Promise.resolve({ username: '*', password: PASSWORD })],
      ['the username j*', () => Promise.resolve({ username: 'j*', password: PASSWORD })],
      [
        'the username *)(uid=*',
        () => Promise.resolve({ username: '*)(uid=*', password: PASSWORD }),
      ],
      [
        'a username that is an array',
        async () => ({ username: [await name('username-array')], password: PASSWORD }),
      ],
      ['an empty object', () => Promise.resolve({})],
      [
        'a deactivated user with the right password',
        async () => ({ username: await name('inactive', false), password: PASSWORD }),
      ],
    ];

    /** A fresh user per case, so no case runs into the lockout of another. */
    async function name(tag: string, active = true): Promise<string> {
      const username = `victim.${tag}`;
      await user(username, { active });
      return username;
    }

    it.each(cases)('with %s answers 401 with the one generic body', async (_label, makeBody) => {
      const response = await postLogin(gateway, await makeBody());
      expect(response.status).toBe(401);
      expect(comparable(response.body)).toEqual(expected);
      expect(response.body?.timestamp).toMatch(/^\d{13}$/);
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('takes about as long for an unknown user as for a wrong password', async () => {
      const samples = 7;
      await Promise.all(Array.from({ length: samples + 1 }, (_, i) => user(`timing.${i}`)));
      // Warm-up: the first unknown-user answer builds the gateway's equalising hash.
      await postLogin(gateway, { username: 'timing.unknown.warmup', password: 'x' });
      await postLogin(gateway, { username: `timing.${samples}`, password: 'x' });
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < samples; i += 1) {
        let started = performance.now();
        const a = await postLogin(gateway, { username: `timing.unknown.${i}`, password: 'wrong' });
        unknown.push(performance.now() - started);
        started = performance.now();
        const b = await postLogin(gateway, { username: `timing.${i}`, password: 'wrong' });
        wrong.push(performance.now() - started);
        expect([a.status, b.status]).toEqual([401, 401]);
        expect(comparable(a.body)).toEqual(comparable(b.body));
      }
      const ratio = median(unknown) / median(wrong);
      // The samples are in the failure message, to tell a real difference from a noisy machine.
      expect({ withinThreeTimes: ratio > 1 / 3 && ratio < 3, ratio, unknown, wrong }).toMatchObject(
        { withinThreeTimes: true },
      );
    });
  });

  describe('brute force', () => {
    it('lets at most 3 of 20 parallel wrong passwords through, then 429 with Retry-After even for the right one, until the lock expires', async () => {
      await user('brute.parallel');
      let lockedAt = Number.POSITIVE_INFINITY;
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const answer = await postLogin(gateway, {
            username: 'brute.parallel',
            password: `guess-${i}`,
          });
          if (answer.status === 429) lockedAt = Math.min(lockedAt, Date.now());
          return answer;
        }),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(17);
      for (const answer of answers.filter((candidate) => candidate.status === 429)) {
        const retryAfter = Number(answer.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
        expect(answer.body?.code).toBe('TOO_MANY_REQUESTS');
        expect(answer.headers.getSetCookie()).toEqual([]);
      }

      const right = await postLogin(gateway, { username: 'brute.parallel', password: PASSWORD });
      expect(right.status).toBe(429);
      expect(right.headers.get('retry-after')).toMatch(/^[12]$/);

      const unlockedAt = await waitFor(
        'the lockout to expire',
        async () => {
          const attempt = await postLogin(gateway, {
            username: 'brute.parallel',
            password: PASSWORD,
          });
          if (attempt.status === 200) return Date.now();
          expect(attempt.status).toBe(429);
          return undefined;
        },
        { timeoutMs: (LOCKOUT_SECONDS + 4) * 1000, intervalMs: 250 },
      );
      expect(unlockedAt - lockedAt).toBeGreaterThanOrEqual((LOCKOUT_SECONDS - 1) * 1000);
    });

    it('doubles the second lockout', async () => {
      await user('brute.double');
      const first = await wrongLogins('brute.double', 4);
      expect(first.map((answer) => answer.status)).toEqual([401, 401, 401, 429]);
      expect(first[3]?.headers.get('retry-after')).toBe(String(LOCKOUT_SECONDS));

      // Wait out the lock without attempting anything (an attempt after it ends would count).
      await sleep(LOCKOUT_SECONDS * 1000 + 400);
      const second = await wrongLogins('brute.double', 4);
      expect(second.map((answer) => answer.status)).toEqual([401, 401, 401, 429]);
      expect(second[3]?.headers.get('retry-after')).toBe(String(LOCKOUT_SECONDS * 2));

      const right = await postLogin(gateway, { username: 'brute.double', password: PASSWORD });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(LOCKOUT_SECONDS);
    });

    it('is refused by every replica: the lock lives in Redis', async () => {
      await user('brute.replica');
      // Started first: the lock lasts only LOCKOUT_SECONDS, less than a start may take.
      replica = new AppProcess(
        'auth-gateway',
        await freePort(),
        {
          ...ENV,
          NODE_ENV: 'test',
          LOG_LEVEL: 'debug',
          DATABASE_URL: suite.database.url,
          REDIS_URL: suite.redis.url,
        },
        'auth-login-replica',
      );
      await replica.start();
      const locked = await wrongLogins('brute.replica', 4);
      expect(locked.map((answer) => answer.status)).toEqual([401, 401, 401, 429]);
      const elsewhere = await postLogin(replica.baseUrl, {
        username: 'brute.replica',
        password: PASSWORD,
      });
      expect(elsewhere.status).toBe(429);
      expect(elsewhere.body?.code).toBe('TOO_MANY_REQUESTS');
      expect(elsewhere.headers.get('retry-after')).toMatch(/^\d+$/);
      // An unlocked user logs in on the replica as on the first gateway.
      await login(replica.baseUrl, ADMIN, ADMIN_PASSWORD);
    });

    it('keys on the socket address: a spoofed X-Forwarded-For changes nothing, another address is not locked', async () => {
      await user('brute.address');
      const locked = await wrongLogins('brute.address', 4, { 'x-forwarded-for': '1.1.1.1' });
      expect(locked.map((answer) => answer.status)).toEqual([401, 401, 401, 429]);

      for (const forwarded of ['2.2.2.2', '1.1.1.1', '127.0.0.2']) {
        const spoofed = await postLogin(
          gateway,
          { username: 'brute.address', password: PASSWORD },
          { 'x-forwarded-for': forwarded, 'x-real-ip': forwarded },
        );
        expect(spoofed.status).toBe(429);
        expect(spoofed.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      const elsewhere = await loginFrom('127.0.0.2', gateway, {
        username: 'brute.address',
        password: PASSWORD,
      });
      expect(elsewhere.status).toBe(200);
      expect((JSON.parse(elsewhere.body) as Envelope).code).toBe('S');
      // ...while this address is still locked (so the 200 above was not the lock expiring).
      const plain = await postLogin(gateway, { username: 'brute.address', password: PASSWORD });
      expect(plain.status).toBe(429);
    });
  });

  describe('CSRF', () => {
    const usersInfo = (headers: Record<string, string>) =>
      request<{ error?: string; code?: string; users?: unknown[] }>(
        `${gateway}/api/v1/tts/users-info/`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ user_ids: [1] }),
        },
      );

    it('refuses a cookie-authenticated POST from another origin, or an unparsable one', async () => {
      const { cookie } = await login(gateway, ADMIN, ADMIN_PASSWORD);
      const variants: Record<string, string>[] = [
        { origin: EVIL_ORIGIN },
        { referer: `${EVIL_ORIGIN}/page` },
        { origin: 'null' },
        { referer: 'not a url' },
      ];
      for (const headers of variants) {
        const refused = await usersInfo({ cookie, ...headers });
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('FORBIDDEN');
        expect(refused.text).toContain('Cross-site request refused');
      }

      const logout = await request<ApiEnvelope<null>>(`${gateway}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { cookie, origin: EVIL_ORIGIN },
      });
      expect(logout.status).toBe(403);
      expect(logout.body.code).toBe('FORBIDDEN');
      expect(logout.headers.getSetCookie()).toEqual([]);

      // The refused logout ended nothing: the session still works from the gateway's own origin.
      const same = await usersInfo({ cookie, origin: gateway });
      expect(same.status).toBe(200);
      const allowed = await usersInfo({ cookie, origin: ALLOWED_ORIGIN });
      expect(allowed.status).toBe(200);
      expect(allowed.body.users).toHaveLength(1);
    });

    it("lets seed 001's server-to-server call through: the cookie and no Origin or Referer at all", async () => {
      const { cookie } = await login(gateway, ADMIN, ADMIN_PASSWORD);
      const served = await usersInfo({ cookie });
      expect(served.status).toBe(200);
      expect(served.body.users).toHaveLength(1);
      // Only on the downstream API: a management route still wants an allowed Origin.
      const logout = await request<ApiEnvelope<null>>(`${gateway}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { cookie },
      });
      expect(logout.status).toBe(403);
      expect(logout.body.code).toBe('FORBIDDEN');
    });

    it('answers the refusal on a seed 001 route with its plain {error, code} body', async () => {
      const { cookie } = await login(gateway, ADMIN, ADMIN_PASSWORD);
      const refused = await usersInfo({ cookie, origin: EVIL_ORIGIN });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error: 'Cross-site request refused (Origin not allowed)',
        code: 'FORBIDDEN',
      });
    });

    it('lets a Bearer POST through whatever its origin (no ambient credential)', async () => {
      const { accessToken } = await login(gateway, ADMIN, ADMIN_PASSWORD);
      const response = await usersInfo({
        authorization: `Bearer ${accessToken}`,
        origin: EVIL_ORIGIN,
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        users: [expect.objectContaining({ id: 1, first_name: 'Gatehouse' }) as unknown],
        not_found: [],
      });
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      request(`${gateway}/api/v1/auth/login`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });

    it('allows a configured origin with credentials', async () => {
      const response = await preflight(ALLOWED_ORIGIN);
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    });

    it('does not allow another origin', async () => {
      const response = await preflight(EVIL_ORIGIN);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await request(`${gateway}/.well-known/jwks.json`, {
        headers: { origin: EVIL_ORIGIN },
      });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
