import type { DataSource } from 'typeorm';
import { openTestDataSource } from '@gatehouse/testing/test-database';
import { UserRepository } from './user.repository';

/** The login's account query (a named statement) against real PostgreSQL: the row, whether the
 *  tenant's directory is enabled, and the grants and permissions exactly as accessOf reads them. */
describe('UserRepository.findLoginCandidate (real PostgreSQL)', () => {
  let close: (() => Promise<void>) | undefined;
  let db: DataSource;
  let users: UserRepository;
  let annId = '';

  async function insertId(sql: string, values: unknown[]): Promise<string> {
    const [row] = await db.query<{ id: string }[]>(`${sql} RETURNING id::text AS id`, values);
    if (!row) throw new Error(`no row from ${sql}`);
    return row.id;
  }

  beforeAll(async () => {
    ({ db, close } = await openTestDataSource('login-candidate'));
    users = new UserRepository(db);
    annId = await insertId(
      `INSERT INTO users (tenant_id, username, source, first_name, last_name, password_hash)
       VALUES ('1', 'Ann', 'local', 'Ann', 'Lee', 'hash')`,
      [],
    );
    await insertId(
      `INSERT INTO users (tenant_id, username, source, first_name, last_name)
       VALUES ('1', 'bob', 'local', 'Bob', 'Ray')`,
      [],
    );
    const systems = await db.query<{ id: string; code: string }[]>(
      `SELECT id::text AS id, code FROM systems WHERE code IN ('TTS', 'AMS') ORDER BY code`,
    );
    // Roles of their own (the migrations seed the usual ones), granted out of order.
    for (const [code, name] of [
      ['TTS', 'Reviewer'],
      ['AMS', 'Viewer'],
      ['TTS', 'Dispatcher'],
    ] as const) {
      const systemId = systems.find((system) => system.code === code)?.id;
      const roleId = await insertId(
        `INSERT INTO roles (tenant_id, system_id, name) VALUES ('1', $1, $2)`,
        [systemId, name],
      );
      await db.query(`INSERT INTO user_roles (tenant_id, user_id, role_id) VALUES ('1', $1, $2)`, [
        annId,
        roleId,
      ]);
    }
    // Two admin roles sharing a permission: the token lists it once.
    for (const [name, permissions] of [
      ['auditors', ['audit:read', 'users:read']],
      ['helpdesk', ['users:write', 'users:read']],
    ] as const) {
      const roleId = await insertId(
        `INSERT INTO admin_roles (tenant_id, name, permissions) VALUES ('1', $1, $2)`,
        [name, permissions],
      );
      await db.query(`INSERT INTO user_admin_roles (user_id, admin_role_id) VALUES ($1, $2)`, [
        annId,
        roleId,
      ]);
    }
  });

  afterAll(async () => {
    await close?.();
  });

  it('answers the account with its grants and permissions, as accessOf reads them', async () => {
    const lookup = await users.findLoginCandidate('1', 'ann');
    expect(lookup.directoryEnabled).toBe(false);
    expect(lookup.user).toMatchObject({
      id: annId,
      username: 'Ann',
      source: 'local',
      passwordHash: 'hash',
      access: {
        roles: [
          { system: 'AMS', role: 'Viewer' },
          { system: 'TTS', role: 'Dispatcher' },
          { system: 'TTS', role: 'Reviewer' },
        ],
        permissions: ['audit:read', 'users:read', 'users:write'],
      },
    });
    expect(lookup.user?.access).toEqual(await users.accessOf('1', annId));
  });

  it('answers empty grants for an account without any, and no account for an unknown name', async () => {
    const bob = await users.findLoginCandidate('1', 'BOB');
    expect(bob.user?.access).toEqual({ roles: [], permissions: [] });
    const nobody = await users.findLoginCandidate('1', 'nobody');
    expect(nobody).toEqual({ user: undefined, directoryEnabled: false });
  });

  it('does not find an account of another tenant, and reports an enabled directory', async () => {
    await db.query(`INSERT INTO tenants (id, slug, name) VALUES ('2', 'two', 'Two')`);
    await db.query(
      `INSERT INTO ldap_configs (id, tenant_id, is_enabled, server, base_dn, user_search_base)
       VALUES ('c2', '2', true, 'ldap://127.0.0.1:389', 'dc=example,dc=com', 'dc=example,dc=com')`,
    );
    // Run several times: the named statement is planned once per connection and reused.
    for (let run = 0; run < 7; run += 1) {
      await expect(users.findLoginCandidate('2', 'ann')).resolves.toEqual({
        user: undefined,
        directoryEnabled: true,
      });
    }
  });
});
