/** Finds the access token the way the integration guide's middleware does: the `access_token`
 *  cookie first (browsers), then `Authorization: Bearer` (services). Never the query string:
 *  URLs end up in logs, browser history and Referer headers. */
import type { IncomingHttpHeaders } from 'node:http';

export const ACCESS_TOKEN_COOKIE = 'access_token';

/** The part of a Node/Express/Nest request we read. `cookies` is set by cookie-parser when the
 *  app uses it; without it we parse the Cookie header ourselves. */
export interface TokenSource {
  readonly headers: IncomingHttpHeaders;
  readonly cookies?: unknown;
}

// RFC 6750 section 2.1 b64token; the scheme is case-insensitive (RFC 7235 section 2.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function extractToken(req: TokenSource): string | undefined {
  return cookieToken(req) ?? bearerToken(req.headers.authorization);
}

function cookieToken(req: TokenSource): string | undefined {
  const parsed = req.cookies;
  if (typeof parsed === 'object' && parsed !== null) {
    const value = (parsed as Readonly<Record<string, unknown>>)[ACCESS_TOKEN_COOKIE];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }
  return readCookieHeader(req.headers.cookie, ACCESS_TOKEN_COOKIE);
}

function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** The first `name=value` pair wins, as in the `cookie` package cookie-parser uses, so both
 *  paths pick the same cookie when a browser sends two. */
export function readCookieHeader(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = unquote(pair.slice(eq + 1).trim());
    return value === '' ? undefined : safeDecode(value);
  }
  return undefined;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // Undecodable: hand it over as it is and let verification refuse it.
    return value;
  }
}
