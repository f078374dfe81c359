import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { POSTGRES_ADMIN_URL } from '@gatehouse/testing/test-database';
import { buildDataSourceOptions, MIGRATIONS } from '../data-source.options';
import { SyncItemPages1764330000000 } from './1764330000000-sync-item-pages';
import { InheritedMemberships1764340000000 } from './1764340000000-inherited-memberships';
import { MembershipChecksPerStatement1764350000000 } from './1764350000000-membership-checks-per-statement';

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Applies `migrations` (in order) to the database, or undoes the last applied one. */
async function migrate(url: string, migrations: typeof MIGRATIONS, undo = false): Promise<void> {
  const dataSource = new DataSource({ ...buildDataSourceOptions(url, 2), migrations });
  await dataSource.initialize();
  try {
    if (undo) await dataSource.undoLastMigration({ transaction: 'each' });
    else await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

/**
 * A scratch database migrated up to just before `migration` for one describe block: `upgrade`
 * applies it (and only it), `undo` takes it back. Dropped after the block.
 */
function databaseJustBefore(
  migration: (typeof MIGRATIONS)[number],
  label: string,
): { url: string; upgrade(): Promise<void>; undo(): Promise<void> } {
  const name = `gh_${label}_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(name);
  const index = MIGRATIONS.indexOf(migration);
  const through = MIGRATIONS.slice(0, index + 1);
  beforeAll(async () => {
    await query(POSTGRES_ADMIN_URL, `CREATE DATABASE "${name}"`);
    await migrate(url, MIGRATIONS.slice(0, index));
  });
  afterAll(async () => {
    await query(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  return { url, upgrade: () => migrate(url, through), undo: () => migrate(url, through, true) };
}

/** Migrations that reshape stored data: each is applied on top of the ones before it with data
 *  in the old shape, checked, and undone. */
describe('migration SyncItemPages: run items become pages, and back', () => {
  const { url, upgrade, undo } = databaseJustBefore(SyncItemPages1764330000000, 'itempages');

  it('keeps every stored item, per run and kind, in its order', async () => {
    const [run] = await query<{ id: string }>(
      url,
      `INSERT INTO ldap_sync_runs (tenant_id, status, ended_at) VALUES ('1', 'succeeded', now())
       RETURNING id::text AS id`,
    );
    await query(
      url,
      `INSERT INTO ldap_sync_run_items (run_id, kind, username, name, email, changes, reason)
       VALUES ($1, 'new', 'b', 'B b', 'b@x.test', '{}', NULL),
              ($1, 'updated', 'u', 'U u', NULL, '{email,dn}', NULL),
              ($1, 'new', 'a', 'A a', NULL, '{}', NULL),
              ($1, 'failed', 'f', NULL, NULL, '{}', 'no uid')`,
      [run?.id],
    );

    await upgrade();
    const pages = await query<{ kind: string; items: unknown }>(
      url,
      `SELECT kind, items FROM ldap_sync_run_item_pages WHERE run_id = $1 ORDER BY kind`,
      [run?.id],
    );
    expect(pages).toEqual([
      { kind: 'failed', items: [expect.objectContaining({ username: 'f', reason: 'no uid' })] },
      {
        kind: 'new',
        items: [
          expect.objectContaining({ username: 'b', name: 'B b', email: 'b@x.test' }),
          expect.objectContaining({ username: 'a', email: null }),
        ],
      },
      {
        kind: 'updated',
        items: [expect.objectContaining({ username: 'u', changes: ['email', 'dn'] })],
      },
    ]);

    await undo();
    const rows = await query<{ kind: string; username: string; changes: string[] }>(
      url,
      `SELECT kind, username, changes FROM ldap_sync_run_items WHERE run_id = $1 ORDER BY id`,
      [run?.id],
    );
    expect(rows.map((row) => [row.kind, row.username])).toEqual(
      expect.arrayContaining([
        ['new', 'b'],
        ['new', 'a'],
        ['updated', 'u'],
        ['failed', 'f'],
      ]),
    );
    const news = rows.filter((row) => row.kind === 'new').map((row) => row.username);
    expect(news).toEqual(['b', 'a']);
    expect(rows.find((row) => row.kind === 'updated')?.changes).toEqual(['email', 'dn']);
  });
});

describe('migration InheritedMemberships: only nesting-derived rows stored, the view answers all', () => {
  const { url, upgrade, undo } = databaseJustBefore(InheritedMemberships1764340000000, 'inherited');
  const effective = (): Promise<{ user: string; group: string; direct: boolean }[]> =>
    query(
      url,
      `SELECT u.username AS user, g.cn AS group, ug.direct FROM ldap_user_groups ug
       JOIN users u ON u.id = ug.user_id JOIN ldap_groups g ON g.id = ug.group_id
       ORDER BY 1, 2`,
    );

  it('keeps every effective membership with its direct flag, up and down', async () => {
    // ann is listed in staff; staff is nested in all, so ann is in all through it.
    await query(
      url,
      `WITH u AS (
         INSERT INTO users (tenant_id, username, source, ldap_uuid)
         VALUES ('1', 'ann', 'ldap', 'u-ann') RETURNING id),
       g AS (
         INSERT INTO ldap_groups (tenant_id, ldap_uuid, dn, dn_key, cn, kind)
         VALUES ('1', 'g-staff', 'cn=staff', 'cn=staff', 'staff', 'groupOfNames'),
                ('1', 'g-all', 'cn=all', 'cn=all', 'all', 'groupOfNames') RETURNING id, cn),
       e AS (
         INSERT INTO ldap_group_members (tenant_id, group_id, user_id)
         SELECT '1', g.id, u.id FROM g, u WHERE g.cn = 'staff' RETURNING 1)
       INSERT INTO ldap_user_groups (tenant_id, user_id, group_id, direct)
       SELECT '1', u.id, g.id, g.cn = 'staff' FROM g, u`,
    );
    const stored = await effective();
    expect(stored).toEqual([
      { user: 'ann', group: 'all', direct: false },
      { user: 'ann', group: 'staff', direct: true },
    ]);

    await upgrade();
    expect(await effective()).toEqual(stored);
    const inherited = await query<{ count: string }>(
      url,
      'SELECT count(*)::text AS count FROM ldap_inherited_memberships',
    );
    expect(inherited[0]?.count).toBe('1');

    await undo();
    expect(await effective()).toEqual(stored);
    const kind = await query<{ relkind: string }>(
      url,
      `SELECT relkind FROM pg_class WHERE relname = 'ldap_user_groups'`,
    );
    expect(kind[0]?.relkind).toBe('r');
  });
});

describe('migration MembershipChecksPerStatement: foreign keys become statement checks, and back', () => {
  const { url, upgrade, undo } = databaseJustBefore(
    MembershipChecksPerStatement1764350000000,
    'memberfk',
  );
  const foreignKeys = async (): Promise<string[]> =>
    (
      await query<{ conname: string }>(
        url,
        `SELECT conname FROM pg_constraint
         WHERE contype = 'f' AND conrelid IN ('ldap_group_members'::regclass,
                                              'ldap_inherited_memberships'::regclass)
         ORDER BY conname`,
      )
    ).map((row) => row.conname);

  it('keeps the memberships, and deleting a user still removes its rows either way', async () => {
    await query(
      url,
      `WITH u AS (
         INSERT INTO users (tenant_id, username, source, ldap_uuid)
         VALUES ('1', 'ann', 'ldap', 'u-ann'), ('1', 'bob', 'ldap', 'u-bob') RETURNING id),
       g AS (
         INSERT INTO ldap_groups (tenant_id, ldap_uuid, dn, dn_key, cn, kind)
         VALUES ('1', 'g-staff', 'cn=staff', 'cn=staff', 'staff', 'groupOfNames') RETURNING id)
       INSERT INTO ldap_group_members (tenant_id, group_id, user_id)
       SELECT '1', g.id, u.id FROM g, u`,
    );
    expect(await foreignKeys()).toHaveLength(6);

    await upgrade();
    expect(await foreignKeys()).toEqual([]);
    await query(url, `DELETE FROM users WHERE username = 'ann'`);
    const members = await query<{ n: string }>(
      url,
      'SELECT count(*)::text AS n FROM ldap_group_members',
    );
    expect(members[0]?.n).toBe('1');

    await undo();
    expect(await foreignKeys()).toHaveLength(6);
    await query(url, `DELETE FROM users WHERE username = 'bob'`);
    const left = await query<{ n: string }>(
      url,
      'SELECT count(*)::text AS n FROM ldap_group_members',
    );
    expect(left[0]?.n).toBe('0');
  });
});
