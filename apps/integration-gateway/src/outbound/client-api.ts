import { type Agent, request } from 'undici';
import type { AuthType } from '@gatehouse/contracts';
import { BlockedAddressError } from './guarded-agent';

/** Decrypted credentials of seed 004's `AuthCredentials` (never logged, never answered). */
export interface ClientCredentials {
  token?: string;
  api_key?: string;
  api_key_header?: string;
  username?: string;
  password?: string;
}

export interface ClientRequest {
  url: string;
  authType: AuthType;
  credentials: ClientCredentials;
  timeoutMs: number;
}

export type FailureKind =
  | 'blocked'
  | 'timeout'
  | 'refused'
  | 'dns'
  | 'tls'
  | 'reset'
  | 'too_large'
  | 'http_status'
  | 'redirect'
  | 'not_json'
  | 'network';

export type ClientResponse =
  | { ok: true; statusCode: number; elapsedMs: number; body: unknown }
  | {
      ok: false;
      kind: FailureKind;
      error: string;
      statusCode: number | null;
      elapsedMs: number | null;
    };

/** seed 004's URL: base without trailing slashes, `/`, endpoint without leading slashes. */
export function statusUrl(baseUrl: string, endpoint: string | null): string {
  if (!endpoint) return baseUrl;
  return `${baseUrl.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
}

/** The auth header of seed 004's auth types (basic included, which the seed's code forgot). */
export function authHeaders(
  authType: AuthType,
  credentials: ClientCredentials,
): Record<string, string> {
  switch (authType) {
    case 'bearer':
      return credentials.token ? { authorization: `Bearer ${credentials.token}` } : {};
    case 'api_key':
      return credentials.api_key
        ? { [(credentials.api_key_header ?? 'X-API-Key').toLowerCase()]: credentials.api_key }
        : {};
    case 'basic':
      return credentials.username !== undefined || credentials.password !== undefined
        ? {
            authorization: `Basic ${Buffer.from(
              `${credentials.username ?? ''}:${credentials.password ?? ''}`,
            ).toString('base64')}`,
          }
        : {};
    case 'none':
      return {};
  }
}

/** GETs the client's status endpoint through the guarded agent: one deadline covers DNS, connect,
 *  headers and body; redirects are reported, never followed; the body must be JSON. */
export async function getJson(agent: Agent, target: ClientRequest): Promise<ClientResponse> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const response = await request(target.url, {
      method: 'GET',
      dispatcher: agent,
      headers: { accept: 'application/json', ...authHeaders(target.authType, target.credentials) },
      signal: AbortSignal.timeout(target.timeoutMs),
      headersTimeout: target.timeoutMs,
      bodyTimeout: target.timeoutMs,
    });
    const text = await response.body.text();
    const statusCode = response.statusCode;
    if (statusCode >= 300 && statusCode < 400) {
      const location = response.headers.location;
      return failure(
        'redirect',
        `Redirect not followed (HTTP ${statusCode} to ${String(location ?? '?')})`,
        statusCode,
        elapsed(),
      );
    }
    if (statusCode < 200 || statusCode >= 300) {
      return failure(
        'http_status',
        `Client API answered HTTP ${statusCode}`,
        statusCode,
        elapsed(),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return failure('not_json', 'Response is not valid JSON', statusCode, elapsed());
    }
    return { ok: true, statusCode, elapsedMs: elapsed(), body };
  } catch (error: unknown) {
    const { kind, message } = classify(error, target.url);
    return failure(kind, message, null, null);
  }
}

function failure(
  kind: FailureKind,
  error: string,
  statusCode: number | null,
  elapsedMs: number | null,
): ClientResponse {
  return { ok: false, kind, error, statusCode, elapsedMs };
}

const TLS_CODE = /CERT|SSL|TLS|EPROTO|UNABLE_TO_VERIFY|SELF_SIGNED/;

/** Distinct messages for the failures an operator fixes differently. */
export function classify(error: unknown, url: string): { kind: FailureKind; message: string } {
  const host = safeHost(url);
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    if (current instanceof BlockedAddressError) {
      return { kind: 'blocked', message: `Blocked: ${current.message}` };
    }
    const name = current instanceof Error ? current.name : '';
    const code = codeOf(current);
    if (name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code)) {
      return { kind: 'timeout', message: 'Connection timeout' };
    }
    if (code === 'ECONNREFUSED') {
      return { kind: 'refused', message: `Connection refused by ${host}` };
    }
    if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'ENODATA'].includes(code)) {
      return { kind: 'dns', message: `DNS lookup failed: ${host} could not be resolved` };
    }
    if (TLS_CODE.test(code)) {
      return { kind: 'tls', message: `TLS handshake failed: ${code}` };
    }
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
      return { kind: 'too_large', message: 'Response body too large' };
    }
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
      return { kind: 'reset', message: `Connection reset by ${host}` };
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return { kind: 'network', message: `Request failed: ${codeOf(error) || 'network error'}` };
}

function codeOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'code' in value) {
    const code = value.code;
    return typeof code === 'string' ? code : '';
  }
  return '';
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the client API';
  }
}
