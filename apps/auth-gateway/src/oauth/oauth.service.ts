import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApplicationsRepository, type ClientRecord } from '../applications/applications.repository';
import { applicationSubject, hashClientSecret } from '../applications/applications.service';
import { SessionStore } from '../sessions/session.store';
import { TokenService } from '../tokens/token.service';
import { OAuthRateLimitStore } from './oauth-rate-limit.store';
import { OAuthError } from './oauth.error';

export interface TokenRequest {
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
  address: string;
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** `POST /api/v1/oauth/token`, the client_credentials grant (RFC 6749 §4.4): the client
 *  authenticates with HTTP Basic or with `client_id`/`client_secret` in the form (one method
 *  only), asks for a subset of its scopes, and gets an access token whose session ends when the
 *  application is disabled. */
@Injectable()
export class OAuthService {
  constructor(
    private readonly apps: ApplicationsRepository,
    private readonly tokens: TokenService,
    private readonly sessions: SessionStore,
    private readonly rateLimit: OAuthRateLimitStore,
  ) {}

  async token(request: TokenRequest): Promise<TokenAnswer> {
    if (!request.contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded');
    }
    const form = formOf(request.body);
    const basic = basicCredentials(request.authorization);
    if (basic && (form.client_id !== undefined || form.client_secret !== undefined)) {
      throw new OAuthError('invalid_request', 'Use one client authentication method only');
    }
    const clientId = basic?.id ?? form.client_id ?? '';
    const wait = await this.rateLimit.take(clientId, request.address);
    if (wait > 0) {
      throw new OAuthError('temporarily_unavailable', 'Too many token requests; retry later', {
        'Retry-After': String(wait),
      });
    }
    if (form.grant_type === undefined) {
      throw new OAuthError('invalid_request', 'grant_type is required');
    }
    if (form.grant_type !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'Only client_credentials is supported');
    }
    const client = await this.authenticate(clientId, basic?.secret ?? form.client_secret, !!basic);
    if (!client.grantTypes.includes('client_credentials')) {
      throw new OAuthError('unauthorized_client', 'The client may not use client_credentials');
    }
    const scopes = this.scopesOf(form.scope, client);
    const ttl = this.tokens.accessTtlSeconds;
    const { familyId } = await this.sessions.create(
      client.tenantId,
      applicationSubject(client.id),
      ttl,
      { countLive: false },
    );
    const { token } = await this.tokens.issue({
      sub: `client:${client.clientId}`,
      user_id: 0,
      user_type: 'staff',
      tenant_id: client.tenantId,
      username: client.clientId,
      systems: [],
      roles: [],
      permissions: [],
      sid: familyId,
      client_id: client.clientId,
      scope: scopes.join(' '),
    });
    void this.apps.touch(client.id).catch(() => undefined);
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') };
  }

  private async authenticate(
    clientId: string,
    secret: string | undefined,
    viaBasic: boolean,
  ): Promise<ClientRecord> {
    const challenge: Record<string, string> = viaBasic
      ? { 'WWW-Authenticate': 'Basic realm="gatehouse"' }
      : {};
    const client =
      clientId.length > 0 && clientId.length <= 64
        ? await this.apps.findClient(clientId)
        : undefined;
    // The secret is hashed whether or not the client exists, so both answers take as long.
    const presented = Buffer.from(hashClientSecret(secret ?? ''), 'hex');
    const stored = Buffer.from(client?.secretHash ?? createHash('sha256').digest('hex'), 'hex');
    const matches = timingSafeEqual(presented, stored);
    if (!client || !secret || !matches || !client.active) {
      throw new OAuthError('invalid_client', 'Client authentication failed', challenge);
    }
    return client;
  }

  private scopesOf(requested: string | undefined, client: ClientRecord): string[] {
    if (requested === undefined) return client.scopes;
    const scopes = [...new Set(requested.split(' ').filter(Boolean))];
    if (scopes.some((scope) => !SCOPE_TOKEN.test(scope))) {
      throw new OAuthError('invalid_scope', 'scope is malformed');
    }
    const unknown = scopes.filter((scope) => !client.scopes.includes(scope));
    if (unknown.length > 0) {
      throw new OAuthError(
        'invalid_scope',
        `Scopes not granted to this client: ${unknown.join(' ')}`,
      );
    }
    return scopes;
  }
}

/** The form as strings; a repeated parameter is refused (RFC 6749 §3.2). */
function formOf(body: unknown): Record<string, string | undefined> {
  if (typeof body !== 'object' || body === null) return {};
  const form: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw new OAuthError('invalid_request', `${key} must be sent once`);
    }
    form[key] = value;
  }
  return form;
}

/** RFC 6749 §2.3.1: Basic with the form-urlencoded client id and secret. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header.trim());
  if (!match?.[1])
    throw new OAuthError('invalid_client', 'Malformed Basic credentials', {
      'WWW-Authenticate': 'Basic realm="gatehouse"',
    });
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new OAuthError('invalid_client', 'Malformed Basic credentials', {
      'WWW-Authenticate': 'Basic realm="gatehouse"',
    });
  }
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new OAuthError('invalid_client', 'Malformed Basic credentials', {
      'WWW-Authenticate': 'Basic realm="gatehouse"',
    });
  }
}
