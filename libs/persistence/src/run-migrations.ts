import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source.options';
import { ensureDatabase } from './ensure-database';

export interface MigrationOutcome {
  createdDatabase: boolean;
  applied: string[];
}

/** Creates the database when missing and applies pending migrations, each in its own transaction.
 *  Running it again applies nothing. Concurrent runs serialise on a PostgreSQL advisory lock. */
export async function runMigrations(url: string): Promise<MigrationOutcome> {
  const createdDatabase = await ensureDatabase(url);
  const dataSource = new DataSource(buildDataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['gatehouse:migrations']);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return { createdDatabase, applied: applied.map((migration) => migration.name) };
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', ['gatehouse:migrations']);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
