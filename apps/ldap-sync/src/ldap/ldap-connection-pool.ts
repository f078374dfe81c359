import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { LdapConnection } from './ldap-connection';

/** Tuning of the pool; the defaults serve a login load on a directory that keeps idle
 *  connections for minutes (OpenLDAP: no idle timeout by default; Active Directory: 900 s). */
export interface LdapPoolOptions {
  /** Idle connections kept per key; more in use at once are opened, and closed after use. */
  maxIdlePerKey: number;
  /** An idle connection older than this is closed rather than reused (well under the idle
   *  timeouts of directories and firewalls, so a kept connection is rarely found dead). */
  idleMs: number;
}

export const DEFAULT_LDAP_POOL_OPTIONS: LdapPoolOptions = { maxIdlePerKey: 8, idleMs: 30_000 };
export const LDAP_POOL_OPTIONS = Symbol('LDAP_POOL_OPTIONS');

interface IdleConnection {
  connection: LdapConnection;
  idleSince: number;
}

/**
 * Open directory connections kept between operations, by key. A key names the server, the TLS
 * settings and the identity a connection is bound as (the caller builds it from everything that
 * matters, so a changed configuration never reuses a connection made for the old one; the old
 * one's connections age out with the sweep).
 *
 * `run` hands `work` a kept connection when one is usable, else opens one with `open`. When
 * `work` fails on a kept connection that has meanwhile become unusable (the server closed it, a
 * firewall dropped it), the operation is retried once on a fresh connection: the failure was the
 * connection's, not the request's. Only idempotent work (search, bind) belongs here.
 */
@Injectable()
export class LdapConnectionPool implements OnModuleDestroy {
  private readonly idle = new Map<string, IdleConnection[]>();
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  private readonly options: LdapPoolOptions;

  constructor(@Optional() @Inject(LDAP_POOL_OPTIONS) options?: LdapPoolOptions) {
    this.options = options ?? DEFAULT_LDAP_POOL_OPTIONS;
    this.sweeper = setInterval(
      () => this.sweep(Date.now()),
      Math.max(1000, this.options.idleMs / 3),
    );
    this.sweeper.unref();
  }

  async run<T>(
    key: string,
    open: () => Promise<LdapConnection>,
    work: (connection: LdapConnection) => Promise<T>,
  ): Promise<T> {
    const kept = this.take(key);
    if (kept) {
      try {
        const result = await work(kept);
        this.give(key, kept);
        return result;
      } catch (error: unknown) {
        if (kept.usable) {
          this.give(key, kept);
          throw error;
        }
        void kept.close();
      }
    }
    const fresh = await open();
    try {
      const result = await work(fresh);
      this.give(key, fresh);
      return result;
    } catch (error: unknown) {
      this.give(key, fresh);
      throw error;
    }
  }

  /** Idle connections per key, for tests and diagnostics. */
  idleCount(key: string): number {
    return this.idle.get(key)?.length ?? 0;
  }

  /** Closes every kept connection (connections in use are kept again when they come back). */
  async drain(): Promise<void> {
    const lists = [...this.idle.values()];
    this.idle.clear();
    await Promise.all(lists.flat().map((entry) => entry.connection.close()));
  }

  /** Drains, and from now on closes connections when they come back. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await this.drain();
  }

  private take(key: string): LdapConnection | undefined {
    const list = this.idle.get(key);
    const now = Date.now();
    while (list && list.length > 0) {
      // Most recently used first: it is the likeliest to be alive, the oldest age out.
      const entry = list.pop();
      if (!entry) break;
      if (entry.connection.usable && now - entry.idleSince < this.options.idleMs) {
        return entry.connection;
      }
      void entry.connection.close();
    }
    return undefined;
  }

  private give(key: string, connection: LdapConnection): void {
    if (this.closing || !connection.usable) {
      void connection.close();
      return;
    }
    let list = this.idle.get(key);
    if (!list) {
      list = [];
      this.idle.set(key, list);
    }
    if (list.length >= this.options.maxIdlePerKey) {
      void connection.close();
      return;
    }
    list.push({ connection, idleSince: Date.now() });
  }

  private sweep(now: number): void {
    for (const [key, list] of this.idle) {
      const keep = list.filter((entry) => {
        const fresh = entry.connection.usable && now - entry.idleSince < this.options.idleMs;
        if (!fresh) void entry.connection.close();
        return fresh;
      });
      if (keep.length === 0) this.idle.delete(key);
      else this.idle.set(key, keep);
    }
  }
}
