/**
 * RFC 4515 filter strings parsed into a library-neutral tree whose values are the raw bytes the
 * server must receive (`\2a` → `*`, `\c5\be` → `ž`). The adapter builds its client's filter objects
 * from this tree instead of handing the string to the client's own parser: ldapjs 3 keeps `\2a`
 * literally in equality values and escapes the backslash again on the wire, so an escaped value
 * would be searched for with its escapes in it.
 *
 * Strict on purpose: a raw `(`, `)`, `*` where a value is expected, or a `\` not followed by two hex
 * digits, is a syntax error rather than a guess. Values built by `buildFilter` always parse.
 */

export type LdapFilterNode =
  | { type: 'and' | 'or'; filters: LdapFilterNode[] }
  | { type: 'not'; filter: LdapFilterNode }
  | { type: 'present'; attribute: string }
  | {
      type: 'equality' | 'approx' | 'greaterOrEqual' | 'lessOrEqual';
      attribute: string;
      value: Buffer;
    }
  | { type: 'substrings'; attribute: string; initial?: Buffer; any: Buffer[]; final?: Buffer }
  | {
      type: 'extensible';
      attribute?: string;
      matchingRule?: string;
      dnAttributes: boolean;
      value: Buffer;
    };

export class LdapFilterSyntaxError extends Error {
  override readonly name = 'LdapFilterSyntaxError';
}

const ATTRIBUTE_DESCRIPTION = /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)(;[A-Za-z0-9-]+)*$/;
const MATCHING_RULE = /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/;

export function parseLdapFilter(filter: string): LdapFilterNode {
  const parser = new FilterParser(filter);
  const node = parser.filter();
  parser.expectEnd();
  return node;
}

class FilterParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  filter(): LdapFilterNode {
    this.expect('(');
    const node = this.component();
    this.expect(')');
    return node;
  }

  expectEnd(): void {
    if (this.pos !== this.text.length) this.fail('unexpected text after the filter');
  }

  private component(): LdapFilterNode {
    const char = this.text[this.pos];
    if (char === '&' || char === '|') {
      this.pos += 1;
      const filters: LdapFilterNode[] = [];
      while (this.text[this.pos] === '(') filters.push(this.filter());
      if (filters.length === 0) this.fail(`"${char}" needs at least one filter`);
      return { type: char === '&' ? 'and' : 'or', filters };
    }
    if (char === '!') {
      this.pos += 1;
      return { type: 'not', filter: this.filter() };
    }
    return this.item();
  }

  /** `attr=value`, `attr~=value`, `attr>=value`, `attr<=value`, `attr=*`, substrings, extensible. */
  private item(): LdapFilterNode {
    const close = this.text.indexOf(')', this.pos);
    const equals = this.text.indexOf('=', this.pos);
    if (equals < 0 || close < 0 || equals > close) this.fail('expected an attribute and "="');
    const left = this.text.slice(this.pos, equals);
    const raw = this.text.slice(equals + 1, close);
    this.pos = close;
    const operator = left.at(-1);
    if (operator === ':') return extensible(left.slice(0, -1), raw, this);
    if (operator === '~' || operator === '>' || operator === '<') {
      const attribute = this.attribute(left.slice(0, -1));
      const type =
        operator === '~' ? 'approx' : operator === '>' ? 'greaterOrEqual' : 'lessOrEqual';
      return { type, attribute, value: decodeValue(raw, this) };
    }
    const attribute = this.attribute(left);
    if (raw === '*') return { type: 'present', attribute };
    if (!raw.includes('*')) return { type: 'equality', attribute, value: decodeValue(raw, this) };
    const parts = raw.split('*');
    const initial = parts.shift() ?? '';
    const final = parts.pop() ?? '';
    if (parts.some((part) => part === '')) this.fail('empty substring between two "*"');
    return {
      type: 'substrings',
      attribute,
      ...(initial === '' ? {} : { initial: decodeValue(initial, this) }),
      any: parts.map((part) => decodeValue(part, this)),
      ...(final === '' ? {} : { final: decodeValue(final, this) }),
    };
  }

  attribute(text: string): string {
    if (!ATTRIBUTE_DESCRIPTION.test(text)) this.fail(`invalid attribute description "${text}"`);
    return text;
  }

  fail(reason: string): never {
    throw new LdapFilterSyntaxError(`invalid LDAP filter at position ${this.pos}: ${reason}`);
  }

  private expect(char: string): void {
    if (this.text[this.pos] !== char) this.fail(`expected "${char}"`);
    this.pos += 1;
  }
}

/** `attr[:dn][:rule]:=value` or `[:dn]:rule:=value` (the trailing `:` already removed). */
function extensible(left: string, raw: string, parser: FilterParser): LdapFilterNode {
  const parts = left.split(':');
  const attributeText = parts.shift() ?? '';
  let dnAttributes = false;
  if (parts[0]?.toLowerCase() === 'dn') {
    dnAttributes = true;
    parts.shift();
  }
  const matchingRule = parts.shift();
  if (parts.length > 0) parser.fail('too many ":" in an extensible match');
  if (matchingRule !== undefined && !MATCHING_RULE.test(matchingRule)) {
    parser.fail(`invalid matching rule "${matchingRule}"`);
  }
  if (attributeText === '' && matchingRule === undefined) {
    parser.fail('an extensible match needs an attribute or a matching rule');
  }
  return {
    type: 'extensible',
    ...(attributeText === '' ? {} : { attribute: parser.attribute(attributeText) }),
    ...(matchingRule === undefined ? {} : { matchingRule }),
    dnAttributes,
    value: decodeValue(raw, parser),
  };
}

/** An assertion value with its `\XX` escapes decoded; literal characters are taken as UTF-8. */
function decodeValue(raw: string, parser: FilterParser): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length;) {
    const char = raw[i];
    if (char === '\\') {
      const pair = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) parser.fail('"\\" must be followed by two hex digits');
      bytes.push(parseInt(pair, 16));
      i += 3;
      continue;
    }
    if (char === '(' || char === ')' || char === '*' || char === '\0') {
      parser.fail(`unescaped "${char === '\0' ? 'NUL' : char}" in a value`);
    }
    const codePoint = String.fromCodePoint(raw.codePointAt(i) ?? 0);
    bytes.push(...Buffer.from(codePoint, 'utf8'));
    i += codePoint.length;
  }
  return Buffer.from(bytes);
}
