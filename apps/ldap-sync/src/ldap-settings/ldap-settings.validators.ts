/**
 * Syntax checks of the settings an admin saves (seed 003 "更新LDAP配置"): server URL, DNs
 * (RFC 4514) and filter templates (RFC 4515, through the adapter's parser). Each returns an error
 * message or null, so the service can report every offending field at once.
 */
import type { FieldError } from '@gatehouse/contracts';
import { buildFilter, FilterTemplateError } from '../ldap/ldap-escape';

/** `ldap://host[:port]` or `ldaps://host[:port]`, nothing else (no path, query or credentials). */
export function checkServerUrl(raw: string): string | null {
  const value = raw.trim();
  if (!/^ldaps?:\/\//i.test(value)) return 'must start with ldap:// or ldaps://';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.hostname === '') return 'has no host';
  if (url.username !== '' || url.password !== '') return 'must not hold credentials';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return 'must be ldap(s)://host[:port] without a path';
  }
  return null;
}

const ATTRIBUTE_TYPE = /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/;
const HEX = /^[0-9A-Fa-f]{2}$/;
/** Characters that must be escaped inside an RFC 4514 value (besides the separators). */
const MUST_ESCAPE = new Set(['"', '\\', '<', '>', '\0']);

/**
 * RFC 4514 distinguished name syntax: `type=value` pairs joined by `+` within an RDN and `,`
 * between RDNs; values escape specials with `\` or as `\XX` hex pairs; `#hex` values allowed.
 * The empty DN is valid only when `allowEmpty` (an anonymous bind DN, an unset group base).
 */
export function checkDn(dn: string, allowEmpty = false): string | null {
  if (dn.trim() === '') return allowEmpty ? null : 'must not be empty';
  let i = 0;
  for (;;) {
    const equals = dn.indexOf('=', i);
    if (equals < 0) return 'is not a valid DN (missing "=")';
    const type = dn.slice(i, equals).trim();
    if (!ATTRIBUTE_TYPE.test(type)) return `is not a valid DN (bad attribute type "${type}")`;
    i = equals + 1;
    while (dn[i] === ' ') i += 1;
    if (dn[i] === '#') {
      const hex = /^#((?:[0-9A-Fa-f]{2})+)/.exec(dn.slice(i));
      if (!hex) return 'is not a valid DN (bad #hex value)';
      i += hex[0].length;
    } else {
      let length = 0;
      while (i < dn.length && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
        if (dn[i] === '\\') {
          if (HEX.test(dn.slice(i + 1, i + 3))) i += 3;
          else if (i + 1 < dn.length) i += 2;
          else return 'is not a valid DN (dangling "\\")';
        } else if (MUST_ESCAPE.has(dn[i])) {
          return `is not a valid DN (unescaped "${dn[i] === '\0' ? '\\0' : dn[i]}")`;
        } else {
          i += 1;
        }
        length += 1;
      }
      if (length === 0) return 'is not a valid DN (empty value)';
    }
    while (dn[i] === ' ') i += 1;
    if (i >= dn.length) return null;
    if (dn[i] === ';') return 'is not a valid DN (";" is not an RFC 4514 separator)';
    i += 1;
  }
}

/** A search filter template: a valid RFC 4515 filter once `{0}` is filled, and `{0}` present. */
export function checkFilterTemplate(template: string): string | null {
  try {
    buildFilter(template, 'x');
    return null;
  } catch (error: unknown) {
    if (!(error instanceof FilterTemplateError)) throw error;
    return template.includes('{0}')
      ? 'is not a valid LDAP filter (RFC 4515)'
      : 'must contain the placeholder {0}';
  }
}

/** Collects `{field, message}` for every non-null check. */
export function fieldErrors(checks: Record<string, string | null>): FieldError[] {
  return Object.entries(checks)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([field, message]) => ({ field, message: `${field} ${message}` }));
}
