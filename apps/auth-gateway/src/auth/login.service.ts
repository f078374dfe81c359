import { Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type LdapAuthenticateReply,
  RPC_PATTERNS,
  type UserInfo,
} from '@gatehouse/contracts';
import {
  DEFAULT_ARGON2_PARAMS,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '@gatehouse/crypto';
import type { RpcClient } from '@gatehouse/platform';
import { AuditService } from '../audit/audit.service';
import { InjectLdapSync } from '../peers/peer-clients';
import { SessionService, type IssuedSession } from '../sessions/session.service';
import {
  type LoginCandidate,
  type LoginCandidateLookup,
  UserRepository,
  type UserRow,
} from '../users/user.repository';
import { LoginThrottleStore } from './login-throttle.store';

export interface LoginInput {
  username: unknown;
  password: unknown;
  tenantId: unknown;
  address: string;
}

export interface LoginResult extends IssuedSession {
  user: UserInfo;
}

/** One message for every failed login, whatever went wrong: no user enumeration. */
export const LOGIN_FAILED = 'Invalid username or password';
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const LDAP_LOGIN_TIMEOUT_MS = 12000;

/** Local accounts first, then the tenant's directory (search-then-bind in ldap-sync over RPC).
 *  Every attempt is charged to the throttle before a password is checked. A hash is verified even
 *  for unknown users so the answer takes about as long either way. */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottleStore,
    @InjectLdapSync() private readonly ldapSync: RpcClient,
    private readonly audit: AuditService,
  ) {}

  /** A login attempt from the request body's fields, audited (login, failed login, lockout):
   *  what POST /api/v1/auth/login runs, through Express or ahead of it (login-fast-path.ts).
   *  `address`: the client address as the trust-proxy setting resolves it. */
  attempt(fields: Record<string, unknown>, address: string | undefined): Promise<LoginResult> {
    return this.audit.trackLogin(
      fields,
      address,
      this.login({
        username: fields.username,
        password: fields.password,
        tenantId: fields.tenantId,
        address: address ?? 'unknown',
      }),
    );
  }

  async login(input: LoginInput): Promise<LoginResult> {
    const tenantId = input.tenantId === undefined || input.tenantId === null ? '1' : input.tenantId;
    if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId)) throw failed();
    // A password that is not a non-empty string is a failed login (401), never a bind.
    if (
      typeof input.username !== 'string' ||
      input.username.length === 0 ||
      input.username.length > 256
    ) {
      throw failed();
    }
    const username = input.username;
    const password =
      typeof input.password === 'string' && input.password.length <= 1024 ? input.password : '';

    // The account is read while the attempt is charged; no password is checked before the charge.
    const [waitMs, candidate] = await Promise.all([
      this.throttle.attempt(tenantId, username, input.address),
      this.users.findLoginCandidate(tenantId, username),
    ]);
    if (waitMs > 0) {
      throw new DomainError(
        ErrorCode.TooManyRequests,
        'Too many failed logins; try again later',
        [],
        {
          retryAfterSeconds: Math.ceil(waitMs / 1000),
        },
      );
    }

    const user = await this.authenticate(tenantId, username, password, candidate);
    if (!user) throw failed();
    // The grants read with the account hold for the row authenticated when it is that account
    // (a directory user created or found under another username just now gets them read).
    const access = user.id === candidate.user?.id ? candidate.user.access : undefined;
    const session = await this.sessions.start(tenantId, user, {
      access,
      // The throttle's reset rides in the session's transaction: one round trip, not two.
      alongside: (tx) => this.throttle.addSuccess(tx, tenantId, username, input.address),
    });
    if (!session) throw failed();
    return session;
  }

  /** Resolves the user when the credentials are right and the account active. */
  private async authenticate(
    tenantId: string,
    username: string,
    password: string,
    { user: local, directoryEnabled }: LoginCandidateLookup,
  ): Promise<UserRow | undefined> {
    if (local?.source === 'local') {
      const { passwordHash, ...user } = local;
      const ok =
        password !== '' && passwordHash !== null && (await verifyPassword(passwordHash, password));
      if (!ok || !user.active) return undefined;
      if (passwordHash && needsRehash(passwordHash, DEFAULT_ARGON2_PARAMS)) {
        await this.users.setPasswordHash(tenantId, user.id, await hashPassword(password));
      }
      return user;
    }
    if (password === '' || !directoryEnabled) {
      await this.equaliseTiming(password);
      return undefined;
    }
    const entry = await this.directoryLogin(tenantId, username, password);
    if (!entry) {
      if (!local) await this.equaliseTiming(password);
      return undefined;
    }
    // A directory user whose row already says what the directory said is not written again.
    const user =
      local && sameDirectoryUser(local, entry)
        ? local
        : await this.users.upsertFromDirectory(
            tenantId,
            entry.entryUUID,
            entry.userDN,
            entry.mapped,
          );
    if (!user) {
      this.logger.warn(
        `directory user ${entry.mapped.username} clashes with another account; login refused`,
      );
      return undefined;
    }
    return user.active ? user : undefined;
  }

  private async directoryLogin(
    tenantId: string,
    username: string,
    password: string,
  ): Promise<LdapAuthenticateReply | undefined> {
    try {
      // Search and two binds, each bounded by the directory's own timeout (5 s by default):
      // give ldap-sync the time to answer with a precise LDAP_001 rather than a bare timeout.
      return await this.ldapSync.send(
        RPC_PATTERNS.ldap.authenticate,
        { tenantId, username, password },
        { timeoutMs: LDAP_LOGIN_TIMEOUT_MS },
      );
    } catch (error: unknown) {
      if (!(error instanceof DomainError)) throw error;
      switch (error.code) {
        case ErrorCode.LdapAuthenticationFailed:
        case ErrorCode.LdapUserNotFound:
        case ErrorCode.LdapConfigInvalid:
          return undefined;
        case ErrorCode.LdapConnectionFailed:
        case ErrorCode.LdapSearchFailed:
        case ErrorCode.PeerTimeout:
        case ErrorCode.PeerUnavailable:
          // The directory cannot be asked: say so (503), local accounts keep working.
          throw new DomainError(error.code, 'The directory is unavailable; try again later');
        default:
          throw error;
      }
    }
  }

  private async equaliseTiming(password: string): Promise<void> {
    this.dummyHash ??= hashPassword('gatehouse-timing-equaliser');
    await verifyPassword(await this.dummyHash, password || 'x');
  }
}

/** Whether the stored row of a directory user holds exactly what the directory just answered
 *  (the fields upsertFromDirectory writes). */
function sameDirectoryUser(row: LoginCandidate, entry: LdapAuthenticateReply): boolean {
  const { mapped } = entry;
  return (
    row.source === 'ldap' &&
    row.ldapUuid === entry.entryUUID &&
    row.ldapDn === entry.userDN &&
    row.username === mapped.username &&
    row.email === mapped.email &&
    row.firstName === mapped.firstName &&
    row.lastName === mapped.lastName &&
    row.employeeNumber === mapped.employeeNumber
  );
}

function failed(): DomainError {
  return new DomainError(ErrorCode.Unauthenticated, LOGIN_FAILED);
}
