import type { EntityManager } from 'typeorm';

/** What runs SQL: the data source, or the entity manager of a transaction (so an audit row is
 *  written in the same transaction as the change it records). */
export type Queryable = Pick<EntityManager, 'query'>;

/** Who made a change and from where, taken from the verified token and the request. */
export interface AuditActor {
  tenantId: string;
  actorId: string | null;
  actorName: string;
  address: string | null;
  requestId: string | null;
  /** The caller's admin permissions (from the token), for the rule that nobody acts on a user
   *  holding permissions they lack. Not written to the log. */
  permissions?: string[];
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecordView {
  id: string;
  tenantId: string;
  actorId: string | null;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  clientAddress: string | null;
  requestId: string | null;
  createdAt: string;
}
