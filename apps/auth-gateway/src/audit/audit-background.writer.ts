import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { maskSecrets } from './audit-mask.util';
import { AuditRepository } from './audit.repository';
import type { AuditActor, AuditEntry } from './audit.types';

/** How long an event waits for others before its batch is written. */
export const AUDIT_FLUSH_MS = 50;
/** A batch this large is written at once. */
export const AUDIT_MAX_BATCH = 500;
/** Events waiting beyond this (the database is down or slow) are dropped, and counted in a log. */
export const AUDIT_MAX_QUEUED = 20_000;

interface Pending {
  actor: AuditActor;
  entry: AuditEntry;
  /** When the event happened (the row's created_at). */
  at: Date;
}

/**
 * Audit events recorded after the fact (logins, failed logins, lockouts, revoked session
 * families), written in batches: one INSERT for whatever arrived within AUDIT_FLUSH_MS, so a login
 * costs the database no statement of its own. Admin changes never come here; they are written in
 * their own transaction. Pending events are written on shutdown; a process killed outright loses
 * at most the last AUDIT_FLUSH_MS of them. A failed write is logged, never turned into a failed
 * login.
 */
@Injectable()
export class AuditBackgroundWriter implements OnModuleDestroy {
  private readonly logger = new Logger(AuditBackgroundWriter.name);
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The write in progress; batches are written one after another, in order. */
  private writing: Promise<void> = Promise.resolve();
  /** Events added and not yet written (queued, or in a batch waiting for the database). */
  private waiting = 0;
  private dropped = 0;

  constructor(private readonly audit: AuditRepository) {}

  add(actor: AuditActor, entry: AuditEntry): void {
    if (this.waiting >= AUDIT_MAX_QUEUED) {
      this.dropped += 1;
      return;
    }
    this.waiting += 1;
    this.queue.push({
      actor,
      entry: { ...entry, before: maskSecrets(entry.before), after: maskSecrets(entry.after) },
      at: new Date(),
    });
    if (this.queue.length >= AUDIT_MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), AUDIT_FLUSH_MS);
  }

  /** Writes what is pending; resolves when it (and every earlier batch) is written or failed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      this.writing = this.writing.then(() => this.write(batch));
    }
    return this.writing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.audit.insertMany(batch);
    } catch (error: unknown) {
      this.logger.warn(
        `${batch.length} audit records (${[...new Set(batch.map((row) => row.entry.action))].join(', ')}) not written: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.waiting -= batch.length;
    }
    if (this.dropped > 0) {
      this.logger.warn(
        `${this.dropped} audit records dropped: too many were waiting to be written`,
      );
      this.dropped = 0;
    }
  }
}
