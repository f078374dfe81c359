import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, MIGRATIONS, runMigrations } from '@gatehouse/persistence';

/** A database per test file, copied from a template that was migrated once (STYLE.md), so suites
 *  run in parallel without sharing state and without re-running migrations each time. */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function urlFor(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function templateName(): string {
  const digest = createHash('sha256')
    .update(MIGRATIONS.map((migration) => migration.name).join(','))
    .digest('hex')
    .slice(0, 12);
  return `gatehouse_tpl_${digest}`;
}

/** Builds the template once per migration set; a half-built one (no 'ready' comment) is rebuilt. */
async function ensureTemplate(): Promise<string> {
  const template = templateName();
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', ['gatehouse:test-template']);
    try {
      const found = await admin.query<{ ready: string | null }>(
        `SELECT shobj_description(oid, 'pg_database') AS ready FROM pg_database WHERE datname = $1`,
        [template],
      );
      if (found.rows[0]?.ready === 'ready') return;
      if (found.rows.length > 0) await admin.query(`DROP DATABASE "${template}" WITH (FORCE)`);
      await runMigrations(urlFor(template));
      await admin.query(`COMMENT ON DATABASE "${template}" IS 'ready'`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', ['gatehouse:test-template']);
    }
  });
  return template;
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const name = `gh_${label
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 20)
    .toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    name,
    url: urlFor(name),
    drop: () =>
      withAdmin(
        async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
      ),
  };
}

/** A fresh test database with a TypeORM DataSource open on it (a medium test of a repository);
 *  `close` destroys the DataSource and drops the database. */
export async function openTestDataSource(
  label: string,
): Promise<{ db: DataSource; close(): Promise<void> }> {
  const database = await createTestDatabase(label);
  const db = new DataSource(buildDataSourceOptions(database.url, 4));
  await db.initialize();
  return {
    db,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}
