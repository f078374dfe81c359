import type { LdapMappedUser } from '@gatehouse/contracts';
import type { LdapFieldMapping } from '@gatehouse/persistence';
import { allValues, firstValue } from '../ldap/ldap-attributes';
import type { LdapEntry } from '../ldap/ldap-connection';

/** Every Gatehouse field a directory entry maps to, with the attribute it comes from. */
export type ResolvedFieldMapping = Required<LdapFieldMapping>;

/** Seed 003's defaults (the column default of `ldap_configs.field_mapping`), plus first and last
 *  name from the inetOrgPerson attributes. */
export const DEFAULT_FIELD_MAPPING: Readonly<ResolvedFieldMapping> = {
  username: 'uid',
  name: 'cn',
  email: 'mail',
  phone: 'mobile',
  department: 'department',
  title: 'title',
  employeeNumber: 'employeeNumber',
  firstName: 'givenName',
  lastName: 'sn',
};

/**
 * The stored mapping over the defaults. A field missing from the stored JSON takes its default;
 * a field stored as an empty string is deliberately unmapped (its value will be null or empty).
 */
export function resolveFieldMapping(
  stored: Partial<LdapFieldMapping> | null | undefined,
): ResolvedFieldMapping {
  const resolved: ResolvedFieldMapping = { ...DEFAULT_FIELD_MAPPING };
  for (const field of Object.keys(DEFAULT_FIELD_MAPPING) as (keyof ResolvedFieldMapping)[]) {
    const value = stored?.[field];
    if (typeof value === 'string') resolved[field] = value.trim();
  }
  return resolved;
}

/** The attributes to ask the directory for: every mapped one, once (names are case-insensitive). */
export function mappedAttributeNames(mapping: ResolvedFieldMapping): string[] {
  const names = new Map<string, string>();
  for (const name of Object.values(mapping)) {
    if (name !== '' && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  }
  return [...names.values()];
}

export interface MappedDirectoryUser {
  mapped: LdapMappedUser;
  /** Mapped attributes by their configured name: one value as a string, several as an array. */
  attributes: Record<string, string | string[]>;
}

/**
 * A directory entry through the tenant's field mapping. A multi-valued attribute gives its first
 * value to `mapped` and all of them to `attributes`; a missing optional field is null.
 * `username` falls back to what the user typed when the mapped attribute is absent (a filter on
 * another attribute, e.g. `(mail={0})`), `name` to the first and last name.
 */
export function mapDirectoryUser(
  entry: LdapEntry,
  mapping: ResolvedFieldMapping,
  typedUsername: string,
): MappedDirectoryUser {
  const mapped = mapDirectoryFields(entry, mapping, typedUsername);
  const attributes: Record<string, string | string[]> = {};
  for (const name of mappedAttributeNames(mapping)) {
    const values = allValues(entry.attributes, name);
    if (values.length > 0) attributes[name] = values.length === 1 ? values[0] : [...values];
  }
  return { mapped, attributes };
}

/** Only the mapped fields of `mapDirectoryUser` (what a sync needs of every entry it reads). */
export function mapDirectoryFields(
  entry: LdapEntry,
  mapping: ResolvedFieldMapping,
  typedUsername: string,
): LdapMappedUser {
  const first = (field: keyof ResolvedFieldMapping): string | undefined =>
    mapping[field] === '' ? undefined : firstValue(entry.attributes, mapping[field]);
  const firstName = first('firstName') ?? '';
  const lastName = first('lastName') ?? '';
  const username = first('username') ?? typedUsername;
  const mapped: LdapMappedUser = {
    username,
    name: first('name') ?? ([firstName, lastName].filter(Boolean).join(' ') || username),
    firstName,
    lastName,
    email: first('email') ?? null,
    phone: first('phone') ?? null,
    department: first('department') ?? null,
    title: first('title') ?? null,
    employeeNumber: first('employeeNumber') ?? null,
  };
  return mapped;
}
