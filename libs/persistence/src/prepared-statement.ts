import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A named statement for the hottest queries. `DataSource.query` sends every statement unnamed, so
 * PostgreSQL parses and plans it on every call; for a login's account query (a row, its grants
 * and its permissions) planning cost twice the execution. Named, it is parsed once per pooled
 * connection and its plan is cached there. The text of a name must never change at run time (node
 * postgres refuses a second text under a known name), so statements are module constants.
 */
export class PreparedStatement<Row extends QueryResultRow> {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  async run(db: DataSource, values: unknown[]): Promise<Row[]> {
    const result = await poolOf(db).query<Row>({ name: this.name, text: this.text, values });
    return result.rows;
  }
}

/** The pg pool TypeORM queries through (same connections, same type parsers). */
function poolOf(db: DataSource): Pool {
  const driver = db.driver;
  if (!(driver instanceof PostgresDriver)) {
    throw new Error('PreparedStatement needs a PostgreSQL data source');
  }
  const pool = driver.master as Pool | undefined;
  if (!pool) throw new Error('the data source is not connected');
  return pool;
}
