import { DecryptionError, type SecretBox } from '@gatehouse/crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { buildDataSourceOptions } from './data-source.options';
import { bindPasswordAad } from './entities/ldap-config.entity';
import { integrationCredentialsAad, integrationWebhookSecretAad } from './secret-columns';

/** One table holding sealed secrets: which column each row's associated data is built from. */
interface SecretTable {
  table: string;
  boundTo: 'tenant_id' | 'project_id';
  columns: { column: string; aad: (boundTo: string) => string }[];
}

/** Every secret stored sealed by libs/crypto, with the associated data its owning app uses. */
export const SECRET_TABLES: readonly SecretTable[] = [
  {
    table: 'ldap_configs',
    boundTo: 'tenant_id',
    columns: [{ column: 'bind_password_enc', aad: bindPasswordAad }],
  },
  {
    table: 'integration_configs',
    boundTo: 'project_id',
    columns: [
      { column: 'auth_credentials_enc', aad: integrationCredentialsAad },
      { column: 'webhook_secret_enc', aad: integrationWebhookSecretAad },
    ],
  },
];

export interface ColumnCounts {
  resealed: number;
  current: number;
  failed: number;
}

export interface ReencryptFailure {
  table: string;
  column: string;
  id: string;
  /** Why (libs/crypto's or PostgreSQL's message): never the secret or the ciphertext. */
  reason: string;
}

export interface ReencryptReport {
  /** By `table.column`. */
  counts: Record<string, ColumnCounts>;
  failures: ReencryptFailure[];
}

type SecretRow = Record<string, string | null>;

/**
 * Seals every stored secret again under the key ring's current key (`needsReencrypt` reads the
 * key id; `reencrypt` authenticates with the row's associated data, then seals with a fresh IV).
 * Row by row, each in its own transaction holding the row lock, so a concurrent save is neither
 * lost nor overwritten. A secret that cannot be opened (a key no longer in the ring, tampering,
 * the wrong row) is reported and left as it is; the other secrets of its row are still re-sealed.
 * Idempotent: a second run finds everything current and writes nothing. `updated_at` is left
 * alone: the plaintext did not change, so nothing that watches configs should react.
 */
export async function reencryptSecrets(url: string, box: SecretBox): Promise<ReencryptReport> {
  const report: ReencryptReport = { counts: {}, failures: [] };
  const dataSource = new DataSource(buildDataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      for (const table of SECRET_TABLES) await reencryptTable(runner, table, box, report);
    } finally {
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
  return report;
}

async function reencryptTable(
  runner: QueryRunner,
  spec: SecretTable,
  box: SecretBox,
  report: ReencryptReport,
): Promise<void> {
  for (const { column } of spec.columns) {
    report.counts[`${spec.table}.${column}`] = { resealed: 0, current: 0, failed: 0 };
  }
  const anySecret = spec.columns.map(({ column }) => `${column} IS NOT NULL`).join(' OR ');
  const ids = (await runner.query(
    `SELECT id::text AS id FROM ${spec.table} WHERE ${anySecret} ORDER BY id`,
  )) as { id: string }[];
  for (const { id } of ids) await reencryptRow(runner, spec, id, box, report);
}

async function reencryptRow(
  runner: QueryRunner,
  spec: SecretTable,
  id: string,
  box: SecretBox,
  report: ReencryptReport,
): Promise<void> {
  const columns = spec.columns.map(({ column }) => column);
  const outcome: Record<string, 'resealed' | 'current'> = {};
  const updates: [string, string][] = [];
  await runner.startTransaction();
  try {
    const rows = (await runner.query(
      `SELECT ${spec.boundTo} AS bound, ${columns.join(', ')} FROM ${spec.table}
       WHERE id = $1 FOR UPDATE`,
      [id],
    )) as SecretRow[];
    const row = rows[0];
    for (const { column, aad } of spec.columns) {
      const sealed = row?.[column];
      if (!row || sealed === null || sealed === undefined) continue;
      try {
        if (!box.needsReencrypt(sealed)) {
          outcome[column] = 'current';
          continue;
        }
        updates.push([column, box.reencrypt(sealed, aad(String(row['bound'])))]);
        outcome[column] = 'resealed';
      } catch (error: unknown) {
        fail(report, spec, column, id, error);
      }
    }
    if (updates.length > 0) {
      const sets = updates.map(([column], index) => `${column} = $${index + 2}`).join(', ');
      await runner.query(`UPDATE ${spec.table} SET ${sets} WHERE id = $1`, [
        id,
        ...updates.map(([, value]) => value),
      ]);
    }
    await runner.commitTransaction();
  } catch (error: unknown) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    for (const column of Object.keys(outcome)) fail(report, spec, column, id, error);
    return;
  }
  for (const [column, result] of Object.entries(outcome)) {
    const counts = report.counts[`${spec.table}.${column}`];
    if (counts) counts[result] += 1;
  }
}

function fail(
  report: ReencryptReport,
  spec: SecretTable,
  column: string,
  id: string,
  error: unknown,
): void {
  const counts = report.counts[`${spec.table}.${column}`];
  if (counts) counts.failed += 1;
  const reason =
    error instanceof DecryptionError
      ? `${error.reason}: ${error.message}`
      : error instanceof Error
        ? error.message
        : 'unknown error';
  report.failures.push({ table: spec.table, column, id, reason });
}
