/** Turning attribute values as received (bytes) into the strings of `LdapEntry`, binary-safely:
 *  independent of the client library, so a replacement adapter reuses it. */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Active Directory's objectGUID is 16 bytes whose first three fields are little-endian
 * (Microsoft's GUID layout), so `b0 f3 a1 1e …` reads `1ea1f3b0-…`: the string AD tools show.
 */
export function objectGuidToUuid(bytes: Uint8Array): string | undefined {
  if (bytes.length !== 16) return undefined;
  const hex = (indices: number[]): string =>
    indices.map((index) => bytes[index].toString(16).padStart(2, '0')).join('');
  return [
    hex([3, 2, 1, 0]),
    hex([5, 4]),
    hex([7, 6]),
    hex([8, 9]),
    hex([10, 11, 12, 13, 14, 15]),
  ].join('-');
}

/** Attribute names compare case-insensitively (`objectGUID` = `objectguid`); options follow `;`.
 *  Called for every attribute of every entry a sync reads, so it allocates nothing. */
function isObjectGuid(type: string): boolean {
  if (type.length < 10 || (type.length > 10 && type[10] !== ';')) return false;
  return type.length === 10
    ? type.toLowerCase() === 'objectguid'
    : type.slice(0, 10).toLowerCase() === 'objectguid';
}

/** How an attribute's values are decoded, from its name: a bit set of `GUID_VALUES` and
 *  `BINARY_VALUES` (0: UTF-8 text). */
export type ValueKind = number;
const GUID_VALUES = 1;
const BINARY_VALUES = 2;

export function valueKindOf(type: string): ValueKind {
  return (isObjectGuid(type) ? GUID_VALUES : 0) | (/;binary$/i.test(type) ? BINARY_VALUES : 0);
}

/**
 * UTF-8 text as strings; objectGUID as a UUID string; anything that is not valid UTF-8 (objectSid,
 * jpegPhoto, values of `;binary` attributes) as base64 rather than mangled text.
 */
export function decodeAttributeValues(type: string, values: readonly Buffer[]): string[] {
  const kind = valueKindOf(type);
  return values.map((value) => decodeValue(value, kind));
}

/**
 * One value lying in `bytes[start, end)`, decoded as `decodeAttributeValues` does. Plain ASCII
 * text (nearly every value a sync reads) is read where it lies, without a Buffer for the value
 * or a pass through the UTF-8 decoder.
 */
export function decodeValueAt(bytes: Buffer, start: number, end: number, kind: ValueKind): string {
  if (kind === 0) {
    let at = start;
    while (at < end && bytes[at] < 0x80) at += 1;
    if (at === end) return bytes.toString('latin1', start, end);
  }
  return decodeValue(bytes.subarray(start, end), kind);
}

function decodeValue(value: Buffer, kind: ValueKind): string {
  if (kind & GUID_VALUES) {
    const uuid = objectGuidToUuid(value);
    if (uuid) return uuid;
  }
  if (!(kind & BINARY_VALUES)) {
    try {
      return utf8.decode(value);
    } catch {
      // not text: fall through to base64
    }
  }
  return value.toString('base64');
}

/**
 * Adds an attribute's values to an entry's record under the name the server sent, after any it
 * sent before under that name. Own properties only: `constructor` is a valid attribute name;
 * `__proto__` is not one (an underscore) and would replace the record's prototype, so it is left
 * out.
 */
export function addAttributeValues(
  attributes: Record<string, string[]>,
  type: string,
  values: string[],
): void {
  if (type === '__proto__') return;
  attributes[type] = Object.hasOwn(attributes, type) ? attributes[type].concat(values) : values;
}

/** The first value of an attribute, looked up case-insensitively. */
export function firstValue(
  attributes: Readonly<Record<string, string[]>>,
  name: string,
): string | undefined {
  return allValues(attributes, name)[0];
}

export function allValues(attributes: Readonly<Record<string, string[]>>, name: string): string[] {
  // The server usually spells a name as it was asked for: try that before comparing every key.
  if (Object.hasOwn(attributes, name)) return attributes[name];
  for (const key in attributes) {
    if (Object.hasOwn(attributes, key) && sameAttributeName(key, name)) return attributes[key];
  }
  return [];
}

/**
 * Attribute descriptions are ASCII (RFC 4512: letters, digits, hyphens, options after `;`) and
 * compare with ASCII case folding. Compared in place: a sync looks up every mapped attribute of
 * every entry, and lower-casing both names each time made garbage per entry.
 */
function sameAttributeName(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const folded = x | 0x20;
    if (folded !== (y | 0x20) || folded < 0x61 || folded > 0x7a) return false;
  }
  return true;
}
