/**
 * The one place user input is made safe for LDAP (ARCHITECTURE.md): RFC 4515 filter values,
 * RFC 4514 DN attribute values, filter templates such as `(uid={0})`, and DN comparison.
 *
 * Non-ASCII characters are left as they are (UTF-8 on the wire) rather than hex-escaped: RFC 4515
 * allows UTF-8 in assertion values (`normal = ... / UTFMB`) and RFC 4514 allows it in DN values, every
 * directory we target accepts it, and logs and audit entries stay readable (`cn=张三`, not
 * `cn=\e5\bc\a0\e4\b8\89`). Only the characters that change the meaning of a filter or DN are
 * escaped.
 */

import { LdapFilterSyntaxError, parseLdapFilter } from './ldap-filter';

const FILTER_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\5c',
  '*': '\\2a',
  '(': '\\28',
  ')': '\\29',
  '\0': '\\00',
};

/**
 * RFC 4515 assertion value escaping. One pass over the input: every character is looked at once, so
 * the backslash of an escape we produce can never be escaped again (the double escaping a widely
 * used library gets by escaping `\` last, after `*` has already become `\2a`).
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (char) => FILTER_ESCAPES[char] ?? char);
}

/** The placeholder of a configured filter template (seed 003: `(uid={0})`, `(member={0})`). */
export const FILTER_PLACEHOLDER = '{0}';

export class FilterTemplateError extends Error {
  override readonly name = 'FilterTemplateError';
}

/**
 * Fills every `{0}` of a configured template with the escaped value (escaped exactly once). A
 * template without `{0}` is refused (it would match the same entries whatever the user typed), and
 * so is one that does not make a valid RFC 4515 filter.
 * `split/join` rather than `String.replace`, whose `$&`/`$1` patterns a username could contain.
 */
export function buildFilter(template: string, value: string): string {
  const parts = template.split(FILTER_PLACEHOLDER);
  if (parts.length < 2) {
    throw new FilterTemplateError(`filter template "${template}" has no ${FILTER_PLACEHOLDER}`);
  }
  const filter = parts.join(escapeFilterValue(value));
  try {
    parseLdapFilter(filter);
  } catch (error: unknown) {
    // The value is escaped, so a filter that does not parse is the template's fault.
    if (!(error instanceof LdapFilterSyntaxError)) throw error;
    throw new FilterTemplateError(`filter template "${template}" is not a valid LDAP filter`);
  }
  return filter;
}

const DN_SPECIALS = new Set(['\\', '"', '+', ',', ';', '<', '>']);

/**
 * RFC 4514 section 2.4 attribute value escaping: `\` `"` `+` `,` `;` `<` `>` get a backslash,
 * NUL becomes `\00`, a leading space or `#` and a trailing space are escaped.
 */
export function escapeDnValue(value: string): string {
  const chars = Array.from(value);
  return chars
    .map((char, index) => {
      if (char === '\0') return '\\00';
      if (DN_SPECIALS.has(char)) return `\\${char}`;
      if (index === 0 && (char === ' ' || char === '#')) return `\\${char}`;
      if (index === chars.length - 1 && char === ' ') return '\\ ';
      return char;
    })
    .join('');
}

/** One `type=value` of an RDN; `hex` values (`#04024869`, BER) are kept as written. */
interface Ava {
  type: string;
  value: string;
  hex: boolean;
}

class DnSyntaxError extends Error {}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses an RFC 4514 DN (tolerating RFC 2253/1779 leftovers some servers still send: spaces
 * around separators, `;` between RDNs, quoted values). Escapes are decoded to UTF-8 bytes first,
 * so `\e6\9d\8e` and `李` are the same value.
 */
function parseDn(dn: string): Ava[][] {
  const rdns: Ava[][] = [];
  if (dn.trim() === '') return rdns;
  let rdn: Ava[] = [];
  let i = 0;
  const skipSpaces = (): void => {
    while (dn[i] === ' ') i += 1;
  };
  for (;;) {
    skipSpaces();
    const equals = dn.indexOf('=', i);
    if (equals < 0) throw new DnSyntaxError('missing "="');
    const type = dn.slice(i, equals).trim();
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)$/.test(type)) {
      throw new DnSyntaxError('bad attribute type');
    }
    i = equals + 1;
    skipSpaces();
    let value: string;
    let hex = false;
    if (dn[i] === '#') {
      const match = /^#[0-9A-Fa-f]*/.exec(dn.slice(i));
      value = match?.[0] ?? '#';
      i += value.length;
      hex = true;
    } else if (dn[i] === '"') {
      ({ value, next: i } = readQuoted(dn, i + 1));
    } else {
      ({ value, next: i } = readValue(dn, i));
    }
    rdn.push({ type, value, hex });
    skipSpaces();
    if (i >= dn.length) break;
    const separator = dn[i];
    i += 1;
    if (separator === '+') continue;
    if (separator !== ',' && separator !== ';') throw new DnSyntaxError('bad separator');
    rdns.push(rdn);
    rdn = [];
  }
  rdns.push(rdn);
  return rdns;
}

/** An unquoted value up to the next unescaped `,` `;` `+`; unescaped trailing spaces dropped. */
function readValue(dn: string, start: number): { value: string; next: number } {
  const bytes: number[] = [];
  let significant = 0;
  let i = start;
  while (i < dn.length && ![',', ';', '+'].includes(dn[i])) {
    if (dn[i] === '\\') {
      const pair = dn.slice(i + 1, i + 3);
      if (HEX_PAIR.test(pair)) {
        bytes.push(parseInt(pair, 16));
        i += 3;
      } else if (i + 1 < dn.length) {
        bytes.push(...Buffer.from(dn[i + 1], 'utf8'));
        i += 2;
      } else {
        throw new DnSyntaxError('dangling "\\"');
      }
      significant = bytes.length;
      continue;
    }
    const char = String.fromCodePoint(dn.codePointAt(i) ?? 0);
    bytes.push(...Buffer.from(char, 'utf8'));
    if (char !== ' ') significant = bytes.length;
    i += char.length;
  }
  return { value: decodeUtf8(bytes.slice(0, significant)), next: i };
}

function readQuoted(dn: string, start: number): { value: string; next: number } {
  const bytes: number[] = [];
  let i = start;
  while (i < dn.length && dn[i] !== '"') {
    if (dn[i] === '\\' && i + 1 < dn.length) {
      const pair = dn.slice(i + 1, i + 3);
      const hex = HEX_PAIR.test(pair);
      bytes.push(...(hex ? [parseInt(pair, 16)] : Buffer.from(dn[i + 1], 'utf8')));
      i += hex ? 3 : 2;
      continue;
    }
    const char = String.fromCodePoint(dn.codePointAt(i) ?? 0);
    bytes.push(...Buffer.from(char, 'utf8'));
    i += char.length;
  }
  if (dn[i] !== '"') throw new DnSyntaxError('unterminated quoted value');
  return { value: decodeUtf8(bytes), next: i + 1 };
}

function decodeUtf8(bytes: number[]): string {
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new DnSyntaxError('value is not UTF-8');
  }
}

function formatAva(ava: Ava): string {
  return `${ava.type}=${ava.hex ? ava.value : escapeDnValue(ava.value)}`;
}

/**
 * The DN re-written with minimal RFC 4514 escaping, attribute types and value case kept:
 * `cn=\e6\9d\8e\e5\9b\9b,ou=users` → `cn=李四,ou=users`, `cn=Smith\2c John` → `cn=Smith\, John`.
 * Used for every DN the adapter hands out, so callers see one form whatever the client library
 * re-encodes. A DN that does not parse is returned unchanged.
 */
export function formatDn(dn: string): string {
  try {
    return parseDn(dn)
      .map((rdn) => rdn.map(formatAva).join('+'))
      .join(',');
  } catch {
    return dn;
  }
}

/**
 * A comparison key for DNs: `cn=Smith\, John` and `CN=smith\2C john` give the same key. Escapes
 * are decoded, attribute types lower-cased, spaces around separators dropped, the AVAs of a
 * multi-valued RDN sorted, and values compared like caseIgnoreMatch (RFC 4518: NFKC, case
 * folded, inner runs of spaces collapsed) — the matching rule of the naming attributes directories
 * use (cn, uid, ou, o, dc). Attribute types given as OIDs are not mapped to names.
 */
export function normalizeDn(dn: string): string {
  try {
    return parseDn(dn)
      .map((rdn) =>
        rdn
          .map((ava) =>
            formatAva({
              type: ava.type.toLowerCase(),
              value: ava.hex
                ? ava.value.toLowerCase()
                : ava.value.normalize('NFKC').toLowerCase().replace(/ +/g, ' ').trim(),
              hex: ava.hex,
            }),
          )
          .sort()
          .join('+'),
      )
      .join(',');
  } catch {
    return dn.trim().toLowerCase();
  }
}
