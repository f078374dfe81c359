/** PostgreSQL error codes (SQLSTATE) the apps react to. */
export const SqlState = {
  UniqueViolation: '23505',
  DeadlockDetected: '40P01',
} as const;

/** The SQLSTATE of a driver error, raised by `pg` directly or wrapped by TypeORM
 *  (`QueryFailedError.driverError`); undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if ('code' in error && typeof error.code === 'string') return error.code;
  const driverError = 'driverError' in error ? error.driverError : undefined;
  if (typeof driverError === 'object' && driverError !== null && 'code' in driverError) {
    return typeof driverError.code === 'string' ? driverError.code : undefined;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === SqlState.UniqueViolation;
}
