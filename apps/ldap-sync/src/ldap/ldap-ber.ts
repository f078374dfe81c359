/**
 * A lean reader of the LDAP responses a search produces (RFC 4511 section 4.5.2, BER): search
 * result entries, references and the final result with its controls, read straight from the
 * socket's bytes. ldapjs builds several objects per attribute and parses every DN twice; at a
 * directory's scale (100,000 entries in one sync) that was most of a sync's time and garbage, so
 * the paged search of `ldap.adapter.ts` reads its answers with this instead. Library-free and
 * pure: bytes in, plain messages out.
 */

export interface RawAttribute {
  /** As the server spelled it (`cn`, `member;range=0-1499`). */
  type: string;
  values: Buffer[];
}

export interface RawControl {
  type: string;
  critical: boolean;
  value: Buffer | undefined;
}

/** One message; `raw` is its bytes as received (to hand a message that is not ours on). */
export type RawLdapMessage = { raw: Buffer } & (
  | { messageId: number; kind: 'entry'; dn: string; attributes: RawAttribute[] }
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

interface Element {
  tag: number;
  /** First byte of the contents. */
  start: number;
  /** One past the last byte of the contents. */
  end: number;
}

/** The element at `pos` if its header is complete; `end` may lie beyond `limit` (not all read). */
function header(buffer: Buffer, pos: number, limit: number): Element | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = buffer[pos];
  let length = buffer[pos + 1];
  let start = pos + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new LdapBerError(`unsupported BER length (${bytes} bytes)`);
    if (start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + buffer[start + i];
    start += bytes;
  }
  return { tag, start, end: start + length };
}

/** Reads the elements of one constructed value in order. */
class Cursor {
  constructor(
    private readonly buffer: Buffer,
    private pos: number,
    private readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.buffer[this.pos];
  }

  next(expected?: number): Element {
    const element = header(this.buffer, this.pos, this.end);
    if (!element || element.end > this.end) throw new LdapBerError('truncated BER element');
    if (expected !== undefined && element.tag !== expected) {
      throw new LdapBerError(
        `expected BER tag 0x${expected.toString(16)}, got 0x${element.tag.toString(16)}`,
      );
    }
    this.pos = element.end;
    return element;
  }

  enter(expected?: number): Cursor {
    const element = this.next(expected);
    return new Cursor(this.buffer, element.start, element.end);
  }

  integer(expected = TAG_INTEGER): number {
    const { start, end } = this.next(expected);
    if (end - start > 4 || end === start) throw new LdapBerError('unsupported BER integer');
    let value = this.buffer[start] & 0x80 ? -1 : 0;
    for (let i = start; i < end; i += 1) value = value * 256 + this.buffer[i];
    return value | 0;
  }

  bytes(expected = TAG_OCTET_STRING): Buffer {
    const { start, end } = this.next(expected);
    return this.buffer.subarray(start, end);
  }

  text(expected = TAG_OCTET_STRING): string {
    const { start, end } = this.next(expected);
    return this.buffer.toString('utf8', start, end);
  }
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
    const op = message.enter(TAG_ENTRY);
    const dn = op.text();
    const list = op.enter(TAG_SEQUENCE);
    const attributes: RawAttribute[] = [];
    while (!list.done) {
      const attribute = list.enter(TAG_SEQUENCE);
      const type = attribute.text();
      const set = attribute.enter();
      const values: Buffer[] = [];
      while (!set.done) values.push(set.bytes());
      attributes.push({ type, values });
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
          const flag = control.next(TAG_BOOLEAN);
          critical = buffer[flag.start] !== 0;
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
 * arrives; a large message is gathered without re-copying what came before for every chunk.
 */
export class LdapMessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes the first unfinished message needs in all, once its header was read. */
  private needed = 0;

  push(chunk: Buffer): RawLdapMessage[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.needed > 0 && this.buffered < this.needed) return [];
    const buffer = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    const messages: RawLdapMessage[] = [];
    let pos = 0;
    this.needed = 0;
    while (pos < buffer.length) {
      const element = header(buffer, pos, buffer.length);
      if (!element) break;
      if (element.tag !== TAG_SEQUENCE) {
        throw new LdapBerError(`not an LDAP message (BER tag 0x${element.tag.toString(16)})`);
      }
      if (element.end - pos > MAX_MESSAGE_BYTES) {
        throw new LdapBerError(`LDAP message of ${element.end - pos} bytes is too large`);
      }
      if (element.end > buffer.length) {
        this.needed = element.end - pos;
        break;
      }
      messages.push({
        ...parseMessage(buffer, element.start, element.end),
        raw: buffer.subarray(pos, element.end),
      });
      pos = element.end;
    }
    const rest = buffer.subarray(pos);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return messages;
  }

  /** Bytes received after the last complete message. */
  remainder(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
  }
}

/** The value of the paged-results response control (RFC 2696): `{size, cookie}`. */
export function readPagedResultsValue(value: Buffer): { size: number; cookie: Buffer } {
  const outer = new Cursor(value, 0, value.length).enter(TAG_SEQUENCE);
  const size = outer.integer();
  const cookie = Buffer.from(outer.bytes());
  return { size, cookie };
}
