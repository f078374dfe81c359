import { LdapFilterSyntaxError, parseLdapFilter } from './ldap-filter';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('parseLdapFilter (RFC 4515)', () => {
  it('decodes the escapes of the RFC examples into raw bytes', () => {
    expect(parseLdapFilter('(cn=Parens R Us \\28for all your parenthetical needs\\29)')).toEqual({
      type: 'equality',
      attribute: 'cn',
      value: bytes('Parens R Us (for all your parenthetical needs)'),
    });
    expect(parseLdapFilter('(filename=C:\\5cMyFile)')).toMatchObject({
      value: bytes('C:\\MyFile'),
    });
    expect(parseLdapFilter('(bin=\\00\\00\\00\\04)')).toMatchObject({
      value: Buffer.from([0, 0, 0, 4]),
    });
    expect(parseLdapFilter('(sn=Lu\\c4\\8di\\c4\\87)')).toMatchObject({ value: bytes('Lučić') });
    expect(parseLdapFilter('(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)')).toMatchObject({
      attribute: '1.3.6.1.4.1.1466.0',
      value: Buffer.from([4, 2, 0x48, 0x69]),
    });
  });

  it('takes literal non-ASCII characters as UTF-8', () => {
    expect(parseLdapFilter('(cn=张三)')).toMatchObject({ value: bytes('张三') });
  });

  it('parses presence, substrings, ordering and approximate matches', () => {
    expect(parseLdapFilter('(mail=*)')).toEqual({ type: 'present', attribute: 'mail' });
    expect(parseLdapFilter('(cn=*\\2A*)')).toEqual({
      type: 'substrings',
      attribute: 'cn',
      any: [bytes('*')],
    });
    expect(parseLdapFilter('(cn=a*b*c)')).toEqual({
      type: 'substrings',
      attribute: 'cn',
      initial: bytes('a'),
      any: [bytes('b')],
      final: bytes('c'),
    });
    expect(parseLdapFilter('(n>=5)')).toMatchObject({ type: 'greaterOrEqual', value: bytes('5') });
    expect(parseLdapFilter('(n<=5)')).toMatchObject({ type: 'lessOrEqual', value: bytes('5') });
    expect(parseLdapFilter('(cn~=smith)')).toMatchObject({ type: 'approx', value: bytes('smith') });
  });

  it('parses and, or, not', () => {
    expect(parseLdapFilter('(&(objectClass=person)(|(uid=a)(!(uid=b))))')).toEqual({
      type: 'and',
      filters: [
        { type: 'equality', attribute: 'objectClass', value: bytes('person') },
        {
          type: 'or',
          filters: [
            { type: 'equality', attribute: 'uid', value: bytes('a') },
            { type: 'not', filter: { type: 'equality', attribute: 'uid', value: bytes('b') } },
          ],
        },
      ],
    });
  });

  it('parses extensible matches', () => {
    expect(parseLdapFilter('(cn:caseExactMatch:=Fred Flintstone)')).toEqual({
      type: 'extensible',
      attribute: 'cn',
      matchingRule: 'caseExactMatch',
      dnAttributes: false,
      value: bytes('Fred Flintstone'),
    });
    expect(parseLdapFilter('(o:dn:=Ace Industry)')).toMatchObject({
      attribute: 'o',
      dnAttributes: true,
    });
    expect(parseLdapFilter('(:DN:2.4.6.8.10:=Dino)')).toEqual({
      type: 'extensible',
      matchingRule: '2.4.6.8.10',
      dnAttributes: true,
      value: bytes('Dino'),
    });
    expect(parseLdapFilter('(member:1.2.840.113556.1.4.1941:=cn=x)')).toMatchObject({
      attribute: 'member',
      matchingRule: '1.2.840.113556.1.4.1941',
      value: bytes('cn=x'),
    });
  });

  it.each([
    ['uid=a', 'no parentheses'],
    ['(uid=a', 'unclosed'],
    ['(uid=a))', 'trailing text'],
    ['(uid=a(b)', 'raw ('],
    ['(uid=\\2)', 'short escape'],
    ['(uid=\\zz)', 'bad escape'],
    ['(uid=a\\)', 'dangling backslash'],
    ['(uid=a**b)', 'empty substring'],
    ['(n>=a*)', 'asterisk in an ordering value'],
    ['(&)', 'empty and'],
    ['(=a)', 'no attribute'],
    ['(u id=a)', 'bad attribute'],
    ['(:=a)', 'extensible without attribute or rule'],
    ['(uid=a\0b)', 'raw NUL'],
  ])('refuses %j (%s)', (filter) => {
    expect(() => parseLdapFilter(filter)).toThrow(LdapFilterSyntaxError);
  });
});
