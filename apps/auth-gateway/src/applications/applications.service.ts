import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { isUniqueViolation } from '@gatehouse/persistence';
import { randomId, randomToken } from '@gatehouse/crypto';
import { AuditService } from '../audit/audit.service';
import type { AuditActor, Queryable } from '../audit/audit.types';
import { SessionStore } from '../sessions/session.store';
import {
  type ApplicationSettings,
  type ApplicationView,
  ApplicationsRepository,
} from './applications.repository';
import type { CreateApplicationDto, UpdateApplicationDto } from './dto/application.dto';

export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The session key of a client application's tokens, so disabling it ends them all. */
export function applicationSubject(id: string): string {
  return `app:${id}`;
}

export interface ApplicationWithSecret extends ApplicationView {
  /** Shown once, at registration and at each rotation; never stored or answered again. */
  clientSecret: string;
}

/** Registers client applications for the client_credentials grant, rotates their secrets and
 *  disables them; each change is audited in its transaction (the secret never is). */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly apps: ApplicationsRepository,
    private readonly audit: AuditService,
    private readonly sessions: SessionStore,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  list(tenantId: string): Promise<ApplicationView[]> {
    return this.apps.list(tenantId);
  }

  async register(actor: AuditActor, dto: CreateApplicationDto): Promise<ApplicationWithSecret> {
    const grantTypes = [...new Set(dto.grantTypes ?? ['client_credentials'])];
    const redirectUris = [...new Set(dto.redirectUris ?? [])];
    requireRedirectUris(grantTypes, redirectUris);
    const clientSecret = `ghs_${randomToken(32)}`;
    const app = await this.transaction(async (q) => {
      const id = await this.apps.insert(q, actor.tenantId, {
        clientId: `gh_${randomId(16)}`,
        name: dto.name,
        secretHash: hashClientSecret(clientSecret),
        grantTypes,
        scopes: [...new Set(dto.scopes ?? [])],
        redirectUris,
        createdBy: actor.actorId,
      });
      const created = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'application.create',
        targetType: 'application',
        targetId: id,
        after: created,
      });
      return created;
    });
    return { ...app, clientSecret };
  }

  async rotateSecret(actor: AuditActor, id: string): Promise<ApplicationWithSecret> {
    const clientSecret = `ghs_${randomToken(32)}`;
    const app = await this.transaction(async (q) => {
      const current = await this.found(q, actor.tenantId, id);
      if (!current.active) throw new DomainError(ErrorCode.Conflict, 'The application is disabled');
      await this.apps.setSecret(q, actor.tenantId, id, hashClientSecret(clientSecret));
      const after = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'application.rotate_secret',
        targetType: 'application',
        targetId: id,
        before: { secretRotatedAt: current.secretRotatedAt },
        after: { secretRotatedAt: after.secretRotatedAt },
      });
      return after;
    });
    return { ...app, clientSecret };
  }

  /**
   * Edits name, grant types, scopes and redirect URIs (the fields given replace the stored ones,
   * under the registration's rules). Taking away `client_credentials` or a scope ends the tokens
   * already issued, as disabling does, so none outlives what the application may now do.
   */
  async update(actor: AuditActor, id: string, dto: UpdateApplicationDto): Promise<ApplicationView> {
    let narrowed = false;
    const app = await this.transaction(async (q) => {
      const current = await this.found(q, actor.tenantId, id, true);
      const before = settingsOf(current);
      const next: ApplicationSettings = {
        name: dto.name ?? before.name,
        grantTypes: dto.grantTypes ? [...new Set(dto.grantTypes)] : before.grantTypes,
        scopes: dto.scopes ? [...new Set(dto.scopes)] : before.scopes,
        redirectUris: dto.redirectUris ? [...new Set(dto.redirectUris)] : before.redirectUris,
      };
      if (next.grantTypes.length === 0) {
        throw new DomainError(ErrorCode.ValidationFailed, undefined, [
          { field: 'grantTypes', message: 'grantTypes must name at least one grant type' },
        ]);
      }
      requireRedirectUris(next.grantTypes, next.redirectUris);
      await this.apps.update(q, actor.tenantId, id, next);
      const updated = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'application.update',
        targetType: 'application',
        targetId: id,
        before,
        after: settingsOf(updated),
      });
      narrowed =
        (before.grantTypes.includes('client_credentials') &&
          !next.grantTypes.includes('client_credentials')) ||
        before.scopes.some((scope) => !next.scopes.includes(scope));
      return updated;
    });
    if (narrowed) await this.sessions.revokeUser(actor.tenantId, applicationSubject(id));
    return app;
  }

  /** Disabling refuses new tokens and ends the ones already issued. */
  async disable(actor: AuditActor, id: string): Promise<ApplicationView> {
    const app = await this.transaction(async (q) => {
      const before = await this.found(q, actor.tenantId, id);
      await this.apps.disable(q, actor.tenantId, id);
      const after = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'application.disable',
        targetType: 'application',
        targetId: id,
        before: { active: before.active },
        after: { active: false },
      });
      return after;
    });
    await this.sessions.revokeUser(actor.tenantId, applicationSubject(id));
    return app;
  }

  private async found(
    q: Queryable,
    tenantId: string,
    id: string,
    forUpdate = false,
  ): Promise<ApplicationView> {
    const app = await this.apps.findById(q, tenantId, id, forUpdate);
    if (!app) throw new DomainError(ErrorCode.NotFound, 'Application not found');
    return app;
  }

  private async transaction<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction((manager) => work(manager));
    } catch (error: unknown) {
      if (isUniqueViolation(error)) {
        throw new DomainError(ErrorCode.Conflict, 'An application of that name already exists', [
          { field: 'name', message: 'name is already used in this tenant' },
        ]);
      }
      throw error;
    }
  }
}

/** RFC 6749 §3.1.2: a client of the authorization-code grant registers where codes may go. */
function requireRedirectUris(grantTypes: string[], redirectUris: string[]): void {
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new DomainError(ErrorCode.ValidationFailed, undefined, [
      { field: 'redirectUris', message: 'authorization_code needs at least one redirect URI' },
    ]);
  }
}

function settingsOf(app: ApplicationView): ApplicationSettings {
  return {
    name: app.name,
    grantTypes: app.grantTypes,
    scopes: app.scopes,
    redirectUris: app.redirectUris,
  };
}
