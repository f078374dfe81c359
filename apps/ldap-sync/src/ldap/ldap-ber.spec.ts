import { decodeAttributeValues } from './ldap-attributes';
import { LdapBerError, LdapMessageReader, readPagedResultsValue } from './ldap-ber';

/** A BER element: tag, definite length (short or long form), contents. */
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : body.length < 0x100
        ? Buffer.from([0x81, body.length])
        : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const str = (value: string | Buffer, tag = 0x04): Buffer =>
  tlv(tag, Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'));
const int = (value: number, tag = 0x02): Buffer =>
  tlv(tag, value < 0x80 ? Buffer.from([value]) : Buffer.from([value >> 8, value & 0xff]));

function entry(id: number, dn: string, attributes: [string, (string | Buffer)[]][]): Buffer {
  return tlv(
    0x30,
    int(id),
    tlv(
      0x64,
      str(dn),
      tlv(
        0x30,
        ...attributes.map(([type, values]) =>
          tlv(0x30, str(type), tlv(0x31, ...values.map((value) => str(value)))),
        ),
      ),
    ),
  );
}

function done(id: number, code: number, message: string, cookie?: Buffer): Buffer {
  const controls =
    cookie === undefined
      ? []
      : [tlv(0xa0, tlv(0x30, str('1.2.840.113556.1.4.319'), str(tlv(0x30, int(0), str(cookie)))))];
  return tlv(0x30, int(id), tlv(0x65, int(code, 0x0a), str(''), str(message)), ...controls);
}

describe('LdapMessageReader', () => {
  const longValue = 'x'.repeat(300);
  const stream = Buffer.concat([
    entry(7, 'uid=alice,ou=users,dc=example,dc=com', [
      ['uid', ['alice']],
      ['cn', ['张三', longValue]],
      ['objectGUID', [Buffer.from([0, 1, 2, 255])]],
    ]),
    done(7, 0, '', Buffer.from('cookie-1')),
  ]);

  it('reads entries and the final result with its paged-results cookie', () => {
    const messages = new LdapMessageReader().push(stream);
    expect(messages.map((message) => [message.messageId, message.kind])).toEqual([
      [7, 'entry'],
      [7, 'done'],
    ]);
    const [first, last] = messages;
    expect(first).toMatchObject({ dn: 'uid=alice,ou=users,dc=example,dc=com' });
    if (first?.kind !== 'entry' || last?.kind !== 'done') throw new Error('unexpected kinds');
    expect(first.attributes).toEqual({
      uid: ['alice'],
      cn: ['张三', longValue],
      // Not 16 bytes, so not a GUID; not UTF-8, so base64.
      objectGUID: [Buffer.from([0, 1, 2, 255]).toString('base64')],
    });
    expect(last).toMatchObject({ resultCode: 0, diagnosticMessage: '' });
    expect(last.controls).toHaveLength(1);
    const value = last.controls[0]?.value;
    expect(value && readPagedResultsValue(value).cookie.toString()).toBe('cookie-1');
    expect(Buffer.concat(messages.map((message) => message.raw))).toEqual(stream);
  });

  it('gives the same messages however the bytes are split', () => {
    const whole = new LdapMessageReader().push(stream);
    for (const size of [1, 2, 3, 7, 100]) {
      const reader = new LdapMessageReader();
      const messages = [];
      for (let i = 0; i < stream.length; i += size) {
        messages.push(...reader.push(stream.subarray(i, i + size)));
      }
      expect(messages).toEqual(whole);
      expect(reader.remainder()).toHaveLength(0);
    }
  });

  it('reads a long stream cut at arbitrary places, a message completed mid-chunk and more after it', () => {
    const messages = Array.from({ length: 200 }, (_, index) =>
      entry(index + 1, `uid=user${index},ou=users,dc=example,dc=com`, [
        ['uid', [`user${index}`]],
        ['description', ['y'.repeat((index * 37) % 400)]],
      ]),
    );
    const long = Buffer.concat([...messages, done(201, 0, 'end')]);
    const whole = new LdapMessageReader().push(long);
    expect(whole).toHaveLength(201);
    // A fixed pseudo-random sequence of cut sizes from 1 byte to a few messages long.
    let seed = 7;
    const reader = new LdapMessageReader();
    const read = [];
    for (let i = 0; i < long.length;) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const size = 1 + (seed % 1500);
      read.push(...reader.push(long.subarray(i, i + size)));
      i += size;
    }
    expect(read).toEqual(whole);
    expect(Buffer.concat(read.map((message) => message.raw))).toEqual(long);
    expect(reader.remainder()).toHaveLength(0);
  });

  it('decodes values as ldap-attributes does: ASCII, UTF-8, invalid UTF-8, GUIDs, ;binary', () => {
    const guid = Buffer.from('b0f3a11e52c94f4c8a1d0123456789ab', 'hex');
    const sid = Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xc3, 0xff]);
    const attributes: [string, (string | Buffer)[]][] = [
      ['mail', ['a@example.com', '']],
      ['sn', ['Müller', 'x\u0000y']],
      ['objectSid', [sid]],
      ['objectGUID', [guid]],
      ['userCertificate;binary', ['abc']],
    ];
    const [message] = new LdapMessageReader().push(entry(1, 'uid=a', attributes));
    if (message?.kind !== 'entry') throw new Error('not an entry');
    expect(message.attributes).toEqual(
      Object.fromEntries(
        attributes.map(([type, values]) => [
          type,
          decodeAttributeValues(
            type,
            values.map((value) => (Buffer.isBuffer(value) ? value : Buffer.from(value))),
          ),
        ]),
      ),
    );
    expect(message.attributes.objectGUID).toEqual(['1ea1f3b0-c952-4c4f-8a1d-0123456789ab']);
    expect(message.attributes.sn).toEqual(['Müller', 'x\u0000y']);
  });

  it('joins a name sent twice, keeps names as sent across entries, and owns every name', () => {
    const messages = new LdapMessageReader().push(
      Buffer.concat([
        entry(1, 'uid=a', [
          ['member', ['uid=x']],
          ['member', ['uid=y']],
          ['constructor', ['c']],
          ['__proto__', ['p']],
        ]),
        // Same positions, other names of the same length: not mistaken for the names before.
        entry(2, 'uid=b', [
          ['memxer', ['1']],
          ['member', ['uid=z']],
          ['Constructor', ['d']],
        ]),
        entry(3, 'uid=c', [
          ['cn', ['张三']],
          ['cñ', ['n']],
        ]),
      ]),
    );
    const [first, second, third] = messages.map((message) =>
      message.kind === 'entry' ? message.attributes : undefined,
    );
    expect(first).toEqual({ member: ['uid=x', 'uid=y'], constructor: ['c'] });
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(second).toEqual({ memxer: ['1'], member: ['uid=z'], Constructor: ['d'] });
    expect(third).toEqual({ cn: ['张三'], cñ: ['n'] });
  });

  it('decodes a name met again at the same place as it did the first time', () => {
    const guid = Buffer.from('b0f3a11e52c94f4c8a1d0123456789ab', 'hex');
    const messages = new LdapMessageReader().push(
      Buffer.concat([
        entry(1, 'uid=a', [
          ['objectGUID', [guid]],
          ['x;binary', ['abc']],
        ]),
        entry(2, 'uid=b', [
          ['objectGUID', [guid]],
          ['x;binary', ['abc']],
        ]),
        entry(3, 'uid=c', [
          ['objectGUIX', ['plain']],
          ['x;binarY', ['abc']],
        ]),
      ]),
    );
    expect(messages.map((message) => message.kind === 'entry' && message.attributes)).toEqual([
      { objectGUID: ['1ea1f3b0-c952-4c4f-8a1d-0123456789ab'], 'x;binary': ['YWJj'] },
      { objectGUID: ['1ea1f3b0-c952-4c4f-8a1d-0123456789ab'], 'x;binary': ['YWJj'] },
      { objectGUIX: ['plain'], 'x;binarY': ['YWJj'] },
    ]);
  });

  it('keeps the bytes of an unfinished message', () => {
    const reader = new LdapMessageReader();
    expect(reader.push(stream.subarray(0, 10))).toEqual([]);
    expect(reader.remainder()).toEqual(stream.subarray(0, 10));
  });

  it('reads an error result with its diagnostic message', () => {
    const [message] = new LdapMessageReader().push(done(3, 32, 'no such object'));
    expect(message).toMatchObject({
      kind: 'done',
      resultCode: 32,
      diagnosticMessage: 'no such object',
      controls: [],
    });
  });

  it('refuses bytes that are not an LDAP message', () => {
    expect(() => new LdapMessageReader().push(Buffer.from([0x04, 0x01, 0x41]))).toThrow(
      LdapBerError,
    );
    const broken = tlv(0x30, int(1), tlv(0x64, Buffer.from([0x04, 0x05, 0x41])));
    expect(() => new LdapMessageReader().push(broken)).toThrow(LdapBerError);
  });
});
