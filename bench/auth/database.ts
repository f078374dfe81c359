import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runMigrations } from '@gatehouse/persistence';

const TENANT = '1';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
  /** Process ids of the PostgreSQL backends serving this database, when PostgreSQL runs on this
   *  machine (their CPU is the benchmark's, not noise); empty otherwise. */
  backendPids(): Promise<number[]>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty `gh_bench_<random>` database beside the admin URL's; the caller registers
 *  `drop` before doing anything else with it. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `gh_bench_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(adminUrl, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
    backendPids: async () => {
      if (!LOOPBACK.has(url.hostname)) return [];
      const rows = await withClient(adminUrl, (admin) =>
        admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]),
      );
      return rows.rows.map((row) => row.pid);
    },
  };
}

export async function migrate(url: string): Promise<string[]> {
  const outcome = await runMigrations(url);
  return outcome.applied;
}

export interface SeededUsers {
  /** Ids of the inserted users, ascending. */
  ids: number[];
  grants: number;
}

/** Inserts `count` directory-less staff users of tenant 1 with three or four role grants each
 *  (spread over the four seeded systems), in two set-based statements. */
export async function seedUsers(url: string, count: number): Promise<SeededUsers> {
  return withClient(url, async (client) => {
    await client.query('BEGIN');
    try {
      const users = await client.query<{ id: string }>(
        `INSERT INTO users (tenant_id, username, source, user_type, email, first_name, last_name,
                            company_id, employee_number)
         SELECT $1, 'bench.user.' || g, 'local', 'staff', 'bench.user.' || g || '@bench.example',
                'Bench', 'User ' || g, 'CO-' || (g % 7), 'E' || lpad(g::text, 6, '0')
         FROM generate_series(1, $2::int) AS g
         RETURNING id`,
        [TENANT, count],
      );
      const grants = await client.query(
        `INSERT INTO user_roles (tenant_id, user_id, role_id, source)
         SELECT $1, u.id, r.id, 'manual'
         FROM users u JOIN roles r ON r.tenant_id = $1 AND (u.id + r.id) % 3 = 0
         WHERE u.tenant_id = $1 AND u.username LIKE 'bench.user.%'`,
        [TENANT],
      );
      await client.query('COMMIT');
      await client.query('ANALYZE users');
      await client.query('ANALYZE user_roles');
      const ids = users.rows.map((row) => Number(row.id)).sort((a, b) => a - b);
      return { ids, grants: grants.rowCount ?? 0 };
    } catch (error: unknown) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}
