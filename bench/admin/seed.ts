import { Client } from 'pg';

const FIRST = [
  'Alice',
  'Bob',
  'Carol',
  'David',
  'Erin',
  'Frank',
  'Grace',
  'Heidi',
  'Ivan',
  'Judy',
  'Mallory',
  'Niaj',
  'Olivia',
  'Peggy',
  'Rupert',
  'Sybil',
  'Trent',
  'Victor',
  'Walter',
  'Wei',
  'Xiu',
  'Yusuf',
  'Zhang',
  'Amara',
  'Bao',
  'Chen',
  'Dara',
  'Emeka',
  'Farah',
  'Goran',
];
const LAST = [
  'Wong',
  'Smith',
  'Garcia',
  'Nguyen',
  'Okafor',
  'Schmidt',
  'Rossi',
  'Kowalski',
  'Haddad',
  'Tanaka',
  'Silva',
  'Novak',
  'Ivanova',
  'Dubois',
  'Jensen',
  'Murphy',
  'Patel',
  'Cohen',
  'Larsen',
  'Moreau',
  'Santos',
  'Yilmaz',
  'Kim',
  'Li',
  'Lopez',
  'Ahmed',
  'Berg',
  'Costa',
  'Fischer',
  'Mendes',
  'Oduya',
  'Petrov',
  'Quinn',
  'Ramos',
  'Sato',
  'Teo',
  'Ueda',
  'Vargas',
  'Weber',
  'Zhou',
];

export interface Seeded {
  users: number;
  grants: number;
  ms: number;
}

/** `count` users of tenant 1 in one set-based statement: varied first and last names, usernames,
 *  emails and employee numbers; a tenth from the directory, a twentieth inactive; each with one or
 *  two role grants. ANALYZE afterwards so the planner sees the real distribution. */
export async function seedAdminUsers(url: string, count: number): Promise<Seeded> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  const started = Date.now();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO users (tenant_id, username, source, ldap_uuid, email, first_name, last_name,
                          employee_number, active, created_at)
       SELECT '1', lower(f.name || '.' || l.name) || g, CASE WHEN g % 10 = 0 THEN 'ldap' ELSE 'local' END,
              CASE WHEN g % 10 = 0 THEN 'uuid-' || g END,
              lower(f.name || '.' || l.name) || g || '@corp' || (g % 5) || '.example',
              f.name, l.name, 'E' || lpad(g::text, 6, '0'), g % 20 <> 0,
              now() - make_interval(secs => g)
       FROM generate_series(1, $1::int) AS g
       CROSS JOIN LATERAL (SELECT ($2::text[])[1 + g % $3] AS name) f
       CROSS JOIN LATERAL (SELECT ($4::text[])[1 + (g / 7) % $5] AS name) l`,
      [count, FIRST, FIRST.length, LAST, LAST.length],
    );
    const grants = await client.query(
      `WITH r AS (SELECT array_agg(id ORDER BY id) AS ids FROM roles WHERE tenant_id = '1')
       INSERT INTO user_roles (tenant_id, user_id, role_id)
       SELECT '1', u.id, r.ids[1 + (u.id % array_length(r.ids, 1))] FROM users u, r
       UNION ALL
       SELECT '1', u.id, r.ids[1 + ((u.id / 3) % array_length(r.ids, 1))] FROM users u, r
       WHERE u.id % 2 = 0
       ON CONFLICT DO NOTHING`,
    );
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE users');
    await client.query('VACUUM ANALYZE user_roles');
    return { users: count, grants: grants.rowCount ?? 0, ms: Date.now() - started };
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** The plans PostgreSQL picks for a keyword search (the count and the default page), to show
 *  the index behind the figure. */
export async function keywordPlan(url: string, keyword: string): Promise<string[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const plans: string[] = [];
    for (const sql of [
      `EXPLAIN SELECT count(*) FROM users u WHERE u.tenant_id = '1' AND u.search_text LIKE $1`,
      `EXPLAIN SELECT id FROM users u WHERE u.tenant_id = '1' AND u.search_text LIKE $1
       ORDER BY u.created_at DESC, u.id DESC LIMIT 20`,
    ]) {
      const rows = await client.query<{ 'QUERY PLAN': string }>(sql, [`%${keyword}%`]);
      plans.push(...rows.rows.map((row) => row['QUERY PLAN']), '');
    }
    return plans;
  } finally {
    await client.end();
  }
}
