import { Client } from 'pg';

/** Creates the database named in `url` when it does not exist, by connecting to the server's
 *  `postgres` database. Returns whether it created it. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) {
    throw new Error(`DATABASE_URL names database "${name}"; expected letters, digits, _ or -`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount && found.rowCount > 0) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (error: unknown) {
      // Another process created it between our check and our create: that is success too.
      if (isDuplicateDatabase(error)) return false;
      throw error;
    }
    return true;
  } finally {
    await client.end();
  }
}

function isDuplicateDatabase(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '42P04';
}
