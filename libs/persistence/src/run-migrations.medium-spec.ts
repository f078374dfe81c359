import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { POSTGRES_ADMIN_URL } from '@gatehouse/testing/test-database';
import { MIGRATIONS } from './data-source.options';
import { runMigrations } from './run-migrations';

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('runMigrations on a real PostgreSQL', () => {
  const name = `gh_migrate_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(name);

  afterAll(async () => {
    await query(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('creates the missing database, applies every migration, and the default tenant exists', async () => {
    const outcome = await runMigrations(url);
    expect(outcome.createdDatabase).toBe(true);
    expect(outcome.applied).toEqual(MIGRATIONS.map((migration) => migration.name));
    const tenants = await query<{ id: string; slug: string }>(url, 'SELECT id, slug FROM tenants');
    expect(tenants).toEqual([{ id: '1', slug: 'default' }]);
  });

  it('is idempotent: a second run applies nothing and changes no row', async () => {
    const outcome = await runMigrations(url);
    expect(outcome).toEqual({ createdDatabase: false, applied: [] });
    const tenants = await query<{ count: string }>(url, 'SELECT count(*) FROM tenants');
    expect(tenants[0]?.count).toBe('1');
  });

  it('survives concurrent runs (they serialise on an advisory lock)', async () => {
    const outcomes = await Promise.all([
      runMigrations(url),
      runMigrations(url),
      runMigrations(url),
    ]);
    expect(outcomes.every((outcome) => outcome.applied.length === 0)).toBe(true);
  });

  it('enforces the tenant id format in the schema', async () => {
    await expect(
      query(url, `INSERT INTO tenants (id, slug, name) VALUES ('a b', 'x', 'x')`),
    ).rejects.toThrow(/tenants_id_format/);
  });

  it('allows at most one running LDAP sync run per tenant', async () => {
    await query(url, `INSERT INTO ldap_sync_runs (tenant_id) VALUES ('1')`);
    await expect(query(url, `INSERT INTO ldap_sync_runs (tenant_id) VALUES ('1')`)).rejects.toThrow(
      /ldap_sync_runs_one_running/,
    );
    await query(
      url,
      `UPDATE ldap_sync_runs SET status = 'failed', ended_at = now() WHERE status = 'running'`,
    );
    await query(url, `INSERT INTO ldap_sync_runs (tenant_id) VALUES ('1')`);
  });
});
