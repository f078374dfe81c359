/** One sync as production starts it: `POST /api/v1/ldap/sync-users` through the gateway (RPC to
 *  ldap-sync, a BullMQ job), timed from the request to the moment the run record says it ended
 *  (`ldap_sync_runs.ended_at`, written by the worker), read back from PostgreSQL. */
import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { readJson } from '../auth/stack';
import { SetupError, sleep } from '../auth/support';

export interface SyncRunResult {
  runId: string;
  /** The mode the run had (an incremental request is full before any full run succeeded). */
  mode: string;
  ms: number;
  status: string;
  entriesRead: number;
  newUsers: number;
  updatedUsers: number;
  deletedUsers: number;
  failedUsers: number;
  error: string | null;
}

interface RunRow {
  status: string;
  mode: string;
  ended_ms: string | null;
  entries_read: number;
  new_users: number;
  updated_users: number;
  deleted_users: number;
  failed_users: number;
  error: string | null;
}

const POLL_MS = 25;

export async function runSync(
  gatewayUrl: string,
  token: string,
  databaseUrl: string,
  timeoutMs: number,
  mode: 'full' | 'incremental' = 'full',
): Promise<SyncRunResult> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const startedMs = Date.now();
    const answer = await readJson(
      await fetch(`${gatewayUrl}/api/v1/ldap/sync-users?mode=${mode}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(15000),
      }),
      'POST /api/v1/ldap/sync-users',
    );
    const data = answer.data as { id?: unknown } | undefined;
    const id = typeof data?.id === 'string' ? /^SYNC_(\d+)$/.exec(data.id)?.[1] : undefined;
    if (!id) throw new SetupError(`sync-users answered no run id: ${JSON.stringify(answer)}`);
    const deadline = startedMs + timeoutMs;
    for (;;) {
      const { rows } = await client.query<RunRow>(
        `SELECT status, mode, (extract(epoch FROM ended_at) * 1000)::text AS ended_ms, entries_read,
                new_users, updated_users, deleted_users, failed_users, error
         FROM ldap_sync_runs WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      if (row && row.status !== 'running' && row.ended_ms !== null) {
        return {
          runId: id,
          mode: row.mode,
          ms: Number(row.ended_ms) - startedMs,
          status: row.status,
          entriesRead: row.entries_read,
          newUsers: row.new_users,
          updatedUsers: row.updated_users,
          deletedUsers: row.deleted_users,
          failedUsers: row.failed_users,
          error: row.error,
        };
      }
      if (Date.now() > deadline) {
        throw new SetupError(`sync run ${id} did not end within ${timeoutMs} ms`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    await client.end();
  }
}

/** Peak and current resident set of a process, in MB (VmHWM / VmRSS of /proc/<pid>/status). */
export function memoryOf(pid: number): { peakMb: number; currentMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: kb('VmHWM') / 1024, currentMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/** Resets the peak RSS of a process (VmHWM) to its current RSS (`5` to /proc/<pid>/clear_refs,
 *  Linux ≥ 4.0); false where that is not allowed. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Counts of tenant 1's directory users in the database, to check what a run claims. */
export async function userCounts(
  databaseUrl: string,
): Promise<{ ldapUsers: number; active: number }> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ all: string; active: string }>(
      `SELECT count(*) AS all, count(*) FILTER (WHERE active) AS active FROM users
       WHERE tenant_id = '1' AND source = 'ldap'`,
    );
    return { ldapUsers: Number(rows[0]?.all ?? 0), active: Number(rows[0]?.active ?? 0) };
  } finally {
    await client.end();
  }
}
