import {
  addAttributeValues,
  allValues,
  decodeAttributeValues,
  firstValue,
  objectGuidToUuid,
} from './ldap-attributes';

describe('objectGuidToUuid', () => {
  it("reads Microsoft's GUID layout (first three fields little-endian)", () => {
    const bytes = Buffer.from([...Array(16).keys()]);
    // .NET: new Guid(new byte[] {0, 1, …, 15}).ToString()
    expect(objectGuidToUuid(bytes)).toBe('03020100-0504-0706-0809-0a0b0c0d0e0f');
  });

  it('refuses anything but 16 bytes', () => {
    expect(objectGuidToUuid(Buffer.alloc(15))).toBeUndefined();
  });
});

describe('decodeAttributeValues', () => {
  it('decodes text as UTF-8', () => {
    expect(decodeAttributeValues('cn', [Buffer.from('张三'), Buffer.from('Zhang San')])).toEqual([
      '张三',
      'Zhang San',
    ]);
  });

  it('turns objectGUID into a UUID whatever the case of its name', () => {
    const guid = Buffer.from('b0f3a11e5c7d4a4f8a0e1234567890ab', 'hex');
    expect(decodeAttributeValues('objectguid', [guid])).toEqual([
      '1ea1f3b0-7d5c-4f4a-8a0e-1234567890ab',
    ]);
  });

  it('gives binary values as base64 instead of mangled text', () => {
    const sid = Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xff, 0xfe]);
    expect(decodeAttributeValues('objectSid', [sid])).toEqual([sid.toString('base64')]);
    expect(decodeAttributeValues('userCertificate;binary', [Buffer.from('abc')])).toEqual(['YWJj']);
  });
});

describe('attribute lookup', () => {
  it('is case-insensitive', () => {
    const attributes = { mail: ['a@example.com', 'b@example.com'], employeeNumber: ['7'] };
    expect(firstValue(attributes, 'MAIL')).toBe('a@example.com');
    expect(allValues(attributes, 'employeenumber')).toEqual(['7']);
    expect(firstValue(attributes, 'mobile')).toBeUndefined();
    expect(allValues(attributes, 'mobile')).toEqual([]);
  });

  it('folds ASCII letters only: names differing in anything else are other names', () => {
    const attributes = { 'member;range=0-1499': ['a'], 'x-a1': ['b'], sn: ['c'] };
    expect(allValues(attributes, 'MEMBER;RANGE=0-1499')).toEqual(['a']);
    expect(allValues(attributes, 'X-A1')).toEqual(['b']);
    // '[' is '{' with 0x20 cleared, '-' is '\r' with it set: neither is a letter.
    expect(allValues(attributes, 'x\ra1')).toEqual([]);
    expect(allValues({ 'a{': ['d'] }, 'a[')).toEqual([]);
    expect(allValues(attributes, 'sn ')).toEqual([]);
    expect(allValues(attributes, 'SM')).toEqual([]);
  });
});

describe('addAttributeValues', () => {
  it('joins a name sent twice, owns `constructor` and leaves `__proto__` out', () => {
    const attributes: Record<string, string[]> = {};
    addAttributeValues(attributes, 'member', ['a']);
    addAttributeValues(attributes, 'member', ['b']);
    addAttributeValues(attributes, 'constructor', ['c']);
    addAttributeValues(attributes, '__proto__', ['p']);
    expect(attributes).toEqual({ member: ['a', 'b'], constructor: ['c'] });
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
  });
});
