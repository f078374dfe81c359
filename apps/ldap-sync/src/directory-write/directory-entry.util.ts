import { createHash, randomBytes } from 'node:crypto';
import type { ResolvedFieldMapping } from '../ldap-config/ldap-field-mapping.util';

export interface DirectoryUserFields {
  username: string;
  firstName: string;
  lastName: string;
  email?: string | null;
  employeeNumber?: string | null;
}

/** `{SSHA}` (salted SHA-1, RFC 2307 style), which OpenLDAP verifies on bind: the directory never
 *  receives a password in clear to store. */
export function sshaPassword(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** The mapped attributes of a user, keyed by the attribute names of the tenant's field mapping;
 *  empty values are empty lists (removed on update, left out on create). `sn` and `cn` are always
 *  present because `person` requires them. */
export function mappedAttributes(
  mapping: ResolvedFieldMapping,
  user: Omit<DirectoryUserFields, 'username'>,
  username: string,
): Record<string, string[]> {
  const attributes = new Map<string, { name: string; values: string[] }>();
  const put = (name: string, value: string | null | undefined): void => {
    if (name === '') return;
    const key = name.toLowerCase();
    if (attributes.has(key) && !value) return;
    attributes.set(key, { name, values: value ? [value] : [] });
  };
  const fullName = `${user.firstName} ${user.lastName}`.trim() || username;
  put(mapping.name, fullName);
  put('cn', fullName);
  put(mapping.firstName, user.firstName);
  put(mapping.lastName, user.lastName || username);
  put('sn', user.lastName || username);
  put(mapping.email, user.email);
  put(mapping.employeeNumber, user.employeeNumber);
  return Object.fromEntries([...attributes.values()].map((entry) => [entry.name, entry.values]));
}
