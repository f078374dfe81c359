/** `npm run migrate`: create the database when missing, apply pending migrations, print what was
 *  done. Reads DATABASE_URL like the apps do. */
import { EnvError, loadPlatformConfig } from '@gatehouse/platform/config';
import { runMigrations } from './run-migrations';

async function main(): Promise<void> {
  const config = loadPlatformConfig();
  const outcome = await runMigrations(config.DATABASE_URL);
  const where = new URL(config.DATABASE_URL);
  const target = `${where.host}${where.pathname}`;
  if (outcome.createdDatabase) console.log(`migrate: created database ${target}`);
  console.log(
    outcome.applied.length === 0
      ? `migrate: ${target} is up to date`
      : `migrate: applied ${outcome.applied.join(', ')} to ${target}`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof EnvError) console.error(`migrate: ${error.message}`);
  else console.error(`migrate: failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
