/**
 * A lean reader of the LDAP responses a search produces (RFC 4511 section 4.5.2, BER): search
 * result entries, references and the final result with its controls, read straight from the
 * socket's bytes. ldapjs builds several objects per attribute and parses every DN twice; at a
 * directory's scale (100,000 entries in one sync) that was most of a sync's time and garbage, so
 * the searches of `ldap.adapter.ts` read their answers with this instead. Library-free and pure:
 * bytes in, plain messages out; an entry's values come decoded (`ldap-attributes.ts`).
 */

import { addAttributeValues, decodeValueAt, type ValueKind, valueKindOf } from './ldap-attributes';

/** An entry's attributes by name as the server spelled it (`cn`, `member;range=0-1499`), each
 *  with its values decoded; a name the server sent twice has the values of both. */
export type RawAttributes = Record<string, string[]>;

export interface RawControl {
  type: string;
  critical: boolean;
  value: Buffer | undefined;
}

/** One message; `raw` is its bytes as received (to hand a message that is not ours on). */
export type RawLdapMessage = { raw: Buffer } & (
  | { messageId: number; kind: 'entry'; dn: string; attributes: RawAttributes }
  | { messageId: number; kind: 'reference' }
  | {
      messageId: number;
      kind: 'done';
      resultCode: number;
      matchedDn: string;
      diagnosticMessage: string;
      controls: RawControl[];
    }
  | { messageId: number; kind: 'other'; tag: number }
);

export class LdapBerError extends Error {
  override readonly name = 'LdapBerError';
}

const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const TAG_ENTRY = 0x64;
const TAG_DONE = 0x65;
const TAG_REFERENCE = 0x73;
const TAG_CONTROLS = 0xa0;
const TAG_BOOLEAN = 0x01;
const TAG_OCTET_STRING = 0x04;
/** Longest message accepted (a group with a million members is about 60 MB). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * The element header read last by `header()`: its tag, the first byte of its contents and one
 * past their last byte (`end` may lie beyond what was received). Module state rather than an
 * object per element: a sync reads about fifty elements per entry, and those objects were a
 * good share of the garbage a 100,000-entry read made.
 */
let elementTag = 0;
let elementStart = 0;
let elementEnd = 0;

/** Reads the header at `pos` into elementTag/Start/End; false when it is not complete yet. */
function header(buffer: Buffer, pos: number, limit: number): boolean {
  if (pos + 2 > limit) return false;
  const tag = buffer[pos];
  let length = buffer[pos + 1];
  let start = pos + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new LdapBerError(`unsupported BER length (${bytes} bytes)`);
    if (start + bytes > limit) return false;
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + buffer[start + i];
    start += bytes;
  }
  elementTag = tag;
  elementStart = start;
  elementEnd = start + length;
  return true;
}

/** Reads the elements of one constructed value in order. */
class Cursor {
  constructor(
    private readonly buffer: Buffer,
    private pos: number,
    private end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.buffer[this.pos];
  }

  /** Steps over the next element, leaving its header in elementTag/Start/End. */
  next(expected?: number): void {
    if (!header(this.buffer, this.pos, this.end) || elementEnd > this.end) {
      throw new LdapBerError('truncated BER element');
    }
    if (expected !== undefined && elementTag !== expected) {
      throw new LdapBerError(
        `expected BER tag 0x${expected.toString(16)}, got 0x${elementTag.toString(16)}`,
      );
    }
    this.pos = elementEnd;
  }

  /** Reads `[pos, end)` of the same buffer from now on (one cursor for many elements). */
  reset(pos: number, end: number): this {
    this.pos = pos;
    this.end = end;
    return this;
  }

  enter(expected?: number): Cursor {
    this.next(expected);
    return new Cursor(this.buffer, elementStart, elementEnd);
  }

  /** Moves this cursor into the next element (of the value it reads): it then reads that
   *  element's contents, and nothing after it. */
  descend(expected?: number): this {
    this.next(expected);
    this.pos = elementStart;
    this.end = elementEnd;
    return this;
  }

  integer(expected = TAG_INTEGER): number {
    this.next(expected);
    if (elementEnd - elementStart > 4 || elementEnd === elementStart) {
      throw new LdapBerError('unsupported BER integer');
    }
    let value = this.buffer[elementStart] & 0x80 ? -1 : 0;
    for (let i = elementStart; i < elementEnd; i += 1) value = value * 256 + this.buffer[i];
    return value | 0;
  }

  bytes(expected = TAG_OCTET_STRING): Buffer {
    this.next(expected);
    return this.buffer.subarray(elementStart, elementEnd);
  }

  text(expected = TAG_OCTET_STRING): string {
    this.next(expected);
    return this.buffer.toString('utf8', elementStart, elementEnd);
  }
}

/** The attribute names of the entry read last, by position, with how their values decode:
 *  entries of one search name their attributes alike, so a name is nearly always the same
 *  string as in the entry before. Only ASCII names are kept (their bytes are their characters,
 *  so comparing them byte by byte holds). */
const recentTypes: string[] = [];
const recentKinds: ValueKind[] = [];
/** The kind of the name `attributeType` returned last. */
let typeKind: ValueKind = 0;

function attributeType(buffer: Buffer, start: number, end: number, index: number): string {
  const recent = recentTypes[index];
  if (recent !== undefined && recent.length === end - start) {
    let at = start;
    while (at < end && buffer[at] === recent.charCodeAt(at - start)) at += 1;
    if (at === end) {
      typeKind = recentKinds[index];
      return recent;
    }
  }
  const type = buffer.toString('utf8', start, end);
  typeKind = valueKindOf(type);
  if (index < 64 && type.length === end - start && /^\p{ASCII}*$/u.test(type)) {
    recentTypes[index] = type;
    recentKinds[index] = typeKind;
  }
  return type;
}

type ParsedMessage = RawLdapMessage extends infer M
  ? M extends unknown
    ? Omit<M, 'raw'>
    : never
  : never;

function parseMessage(buffer: Buffer, start: number, end: number): ParsedMessage {
  const message = new Cursor(buffer, start, end);
  const messageId = message.integer();
  const tag = message.peekTag();
  if (tag === TAG_ENTRY) {
    // One cursor descends through the entry (controls after it, rare on an entry, are not read).
    const op = message.descend(TAG_ENTRY);
    const dn = op.text();
    const list = op.descend(TAG_SEQUENCE);
    const attributes: RawAttributes = {};
    const attribute = new Cursor(buffer, 0, 0);
    for (let index = 0; !list.done; index += 1) {
      list.next(TAG_SEQUENCE);
      attribute.reset(elementStart, elementEnd).next(TAG_OCTET_STRING);
      const type = attributeType(buffer, elementStart, elementEnd, index);
      const kind = typeKind;
      const set = attribute.descend();
      // Sized as it fills: most attributes have one value, and an empty array's first push
      // would reserve room for seventeen.
      let values: string[] = [];
      for (let count = 0; !set.done; count += 1) {
        set.next(TAG_OCTET_STRING);
        const value = decodeValueAt(buffer, elementStart, elementEnd, kind);
        if (count === 0) values = [value];
        else values.push(value);
      }
      addAttributeValues(attributes, type, values);
    }
    return { messageId, kind: 'entry', dn, attributes };
  }
  if (tag === TAG_REFERENCE) {
    message.next();
    return { messageId, kind: 'reference' };
  }
  if (tag === TAG_DONE) {
    const op = message.enter(TAG_DONE);
    const resultCode = op.integer(0x0a);
    const matchedDn = op.text();
    const diagnosticMessage = op.text();
    const controls: RawControl[] = [];
    if (message.peekTag() === TAG_CONTROLS) {
      const list = message.enter(TAG_CONTROLS);
      while (!list.done) {
        const control = list.enter(TAG_SEQUENCE);
        const type = control.text();
        let critical = false;
        let value: Buffer | undefined;
        if (control.peekTag() === TAG_BOOLEAN) {
          control.next(TAG_BOOLEAN);
          critical = buffer[elementStart] !== 0;
        }
        if (control.peekTag() === TAG_OCTET_STRING) value = control.bytes();
        controls.push({ type, critical, value });
      }
    }
    return { messageId, kind: 'done', resultCode, matchedDn, diagnosticMessage, controls };
  }
  return { messageId, kind: 'other', tag: tag ?? -1 };
}

/**
 * Splits a byte stream into LDAP messages. Bytes of an unfinished message are kept until the rest
 * arrives; the chunk that completes it is read where it lies: only the message's own bytes are
 * gathered, never the rest of the chunk (a paged read of 100,000 entries arrives in thousands of
 * chunks, nearly every one ending inside a message).
 */
export class LdapMessageReader {
  /** The unfinished message's bytes so far. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Its length in all, once its header was read (0 before). */
  private needed = 0;

  push(chunk: Buffer): RawLdapMessage[] {
    if (this.buffered === 0) return this.read(chunk, 0);
    const needed = this.needed || this.lengthOfUnfinished(chunk);
    const missing = needed - this.buffered;
    if (needed === 0 || chunk.length < missing) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.needed = needed;
      return [];
    }
    const message = Buffer.concat([...this.chunks, chunk.subarray(0, missing)], needed);
    this.chunks = [];
    this.buffered = 0;
    this.needed = 0;
    return [...this.read(message, 0), ...this.read(chunk, missing)];
  }

  /** Bytes received after the last complete message. */
  remainder(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
  }

  /** The messages of `buffer` from `pos`; keeps the bytes of an unfinished last one. */
  private read(buffer: Buffer, pos: number): RawLdapMessage[] {
    const messages: RawLdapMessage[] = [];
    while (pos < buffer.length) {
      const end = messageEnd(buffer, pos);
      if (end === undefined || end > buffer.length) {
        this.chunks = [buffer.subarray(pos)];
        this.buffered = buffer.length - pos;
        this.needed = end === undefined ? 0 : end - pos;
        break;
      }
      const message = parseMessage(buffer, elementStart, end) as RawLdapMessage;
      message.raw = buffer.subarray(pos, end);
      messages.push(message);
      pos = end;
    }
    return messages;
  }

  /** The whole length of the unfinished message, its header completed from `chunk`'s first
   *  bytes (a header is at most six); 0 while even that is not enough. */
  private lengthOfUnfinished(chunk: Buffer): number {
    const head = Buffer.concat([...this.chunks, chunk.subarray(0, 6)]);
    const end = messageEnd(head, 0);
    return end ?? 0;
  }
}

/** Where the message starting at `pos` ends (its contents from elementStart), checked to be an
 *  LDAP message of an acceptable size; undefined while its header is incomplete. */
function messageEnd(buffer: Buffer, pos: number): number | undefined {
  if (!header(buffer, pos, buffer.length)) return undefined;
  if (elementTag !== TAG_SEQUENCE) {
    throw new LdapBerError(`not an LDAP message (BER tag 0x${elementTag.toString(16)})`);
  }
  if (elementEnd - pos > MAX_MESSAGE_BYTES) {
    throw new LdapBerError(`LDAP message of ${elementEnd - pos} bytes is too large`);
  }
  return elementEnd;
}

/** The value of the paged-results response control (RFC 2696): `{size, cookie}`. */
export function readPagedResultsValue(value: Buffer): { size: number; cookie: Buffer } {
  const outer = new Cursor(value, 0, value.length).enter(TAG_SEQUENCE);
  const size = outer.integer();
  const cookie = Buffer.from(outer.bytes());
  return { size, cookie };
}
