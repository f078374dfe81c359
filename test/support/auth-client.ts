import type { ApiEnvelope, UserInfo } from '@gatehouse/contracts';
import { hashPassword } from '@gatehouse/crypto';
import { Client } from 'pg';
import { type JsonResponse, request } from './http-client';

/** Helpers for end-to-end tests of the auth gateway: log in, read the cookies it sets, and put
 *  users and role grants straight into a suite's database. */

export const DEFAULT_TENANT = '1';

/** The login and refresh answer: seed 001's user-info body plus the tokens. */
export interface SessionBody extends UserInfo {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

export interface ParsedCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags (HttpOnly, Secure) map to ''. */
  attributes: Record<string, string>;
}

/** The `Set-Cookie` headers of a response, by cookie name. */
export function setCookies(headers: Headers): Map<string, ParsedCookie> {
  const cookies = new Map<string, ParsedCookie>();
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...attributeParts] = line.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const attributes: Record<string, string> = {};
    for (const part of attributeParts) {
      const equals = part.indexOf('=');
      const key = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase();
      attributes[key] = equals < 0 ? '' : part.slice(equals + 1).trim();
    }
    cookies.set(name, { name, value: decodeURIComponent(pair.slice(separator + 1)), attributes });
  }
  return cookies;
}

/** A `Cookie` request header from name/value pairs. */
export function cookieHeader(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('; ');
}

export interface LoggedIn {
  response: JsonResponse<ApiEnvelope<SessionBody>>;
  accessToken: string;
  refreshToken: string;
  /** `Cookie` header carrying both tokens, as a browser would send to /api/v1/auth. */
  cookie: string;
}

/** POST /api/v1/auth/login with any JSON body (tests send malformed ones on purpose). */
export function postLogin(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<ApiEnvelope<SessionBody | null>>> {
  return request<ApiEnvelope<SessionBody | null>>(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    timeoutMs: 10000,
  });
}

/** Logs in and fails loudly unless the gateway answers 200 with both tokens. */
export async function login(
  baseUrl: string,
  username: string,
  password: string,
): Promise<LoggedIn> {
  const response = await postLogin(baseUrl, { username, password });
  const data = response.body?.data;
  if (response.status !== 200 || !data) {
    throw new Error(`login of ${username} answered ${response.status}: ${response.text}`);
  }
  return {
    response: response as JsonResponse<ApiEnvelope<SessionBody>>,
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    cookie: cookieHeader({ access_token: data.access_token, refresh_token: data.refresh_token }),
  };
}

/** Runs `work` with a connection to the suite's database. */
export async function withDatabase<T>(
  url: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestUser {
  username: string;
  /** Stored as an argon2id hash; leave out for a user who cannot log in locally. */
  password?: string;
  /** A precomputed hash, to avoid hashing the same password for many users. */
  passwordHash?: string;
  email?: string | null;
  firstName?: string;
  lastName?: string;
  companyId?: string | null;
  employeeNumber?: string | null;
  userType?: 'staff' | 'employee';
  active?: boolean;
  /** Role grants, e.g. `{system: 'TTS', role: 'Technician'}` (seeded for tenant 1). */
  roles?: { system: string; role: string }[];
}

/** Inserts a local user of tenant 1 with its grants; resolves with the user id. */
export async function insertUser(databaseUrl: string, user: TestUser): Promise<number> {
  const hash =
    user.passwordHash ?? (user.password === undefined ? null : await hashPassword(user.password));
  return withDatabase(databaseUrl, async (client) => {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO users (tenant_id, username, source, password_hash, email, first_name, last_name,
                          company_id, employee_number, active, user_type)
       VALUES ($1, $2, 'local', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        DEFAULT_TENANT,
        user.username,
        hash,
        user.email ?? null,
        user.firstName ?? '',
        user.lastName ?? '',
        user.companyId ?? null,
        user.employeeNumber ?? null,
        user.active ?? true,
        user.userType ?? 'staff',
      ],
    );
    const id = Number(inserted.rows[0]?.id);
    for (const grant of user.roles ?? []) await grantRoleWith(client, id, grant.system, grant.role);
    return id;
  });
}

async function grantRoleWith(
  client: Client,
  userId: number,
  system: string,
  role: string,
): Promise<void> {
  const granted = await client.query(
    `INSERT INTO user_roles (tenant_id, user_id, role_id)
     SELECT $1::varchar, $2::bigint, r.id FROM roles r JOIN systems s ON s.id = r.system_id
     WHERE s.tenant_id = $1::varchar AND s.code = $3 AND r.name = $4`,
    [DEFAULT_TENANT, userId, system, role],
  );
  if (granted.rowCount !== 1) throw new Error(`no role ${system}/${role} in tenant 1`);
}

/** Grants one of tenant 1's seeded roles (e.g. TTS Technician) to a user. */
export async function grantRole(
  databaseUrl: string,
  userId: number,
  system: string,
  role: string,
): Promise<void> {
  await withDatabase(databaseUrl, (client) => grantRoleWith(client, userId, system, role));
}

/** `UPDATE users SET active = ...` for one user, as an operator or a sync would. */
export async function setUserActive(
  databaseUrl: string,
  userId: number,
  active: boolean,
): Promise<void> {
  await withDatabase(databaseUrl, async (client) => {
    await client.query('UPDATE users SET active = $2 WHERE id = $1', [userId, active]);
  });
}

export type ManagementCall = <T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<JsonResponse<ApiEnvelope<T>>>;

/** A caller of one management API prefix (e.g. `/api/v1/ldap`) with a Bearer token; the token
 *  is read at call time (`defaultToken()`), so suites can log in after building the caller. */
export function managementCaller(
  baseUrl: () => string,
  prefix: string,
  defaultToken: () => string | undefined,
  timeoutMs = 15000,
): ManagementCall {
  return <T>(method: string, path: string, body?: unknown, token = defaultToken()) =>
    request<ApiEnvelope<T>>(`${baseUrl()}${prefix}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs,
    });
}
