/** Masks secrets before a value is stored in the audit log: any property whose name says it holds
 *  a password, secret, token, key or hash is replaced by `******`, at any depth. Shared by every
 *  app that writes `audit_log` (the gateway's admin changes, ldap-sync's runs). */
const SECRET_NAME = /pass(word)?|secret|token|api_?key|hash|credential/i;
export const MASK = '******';

export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const masked: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    masked[key] =
      SECRET_NAME.test(key) && item !== null && item !== undefined
        ? MASK
        : maskSecrets(item, depth + 1);
  }
  return masked;
}
