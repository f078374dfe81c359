import {
  buildFilter,
  escapeDnValue,
  escapeFilterValue,
  FilterTemplateError,
  formatDn,
  normalizeDn,
} from './ldap-escape';
import { parseLdapFilter } from './ldap-filter';

const AWKWARD_UID = 'jamees,key*cložak)ppp';

/** The bytes the server receives for the value of `(uid=…)` built from `value`. */
function wireValue(value: string): Buffer {
  const node = parseLdapFilter(buildFilter('(uid={0})', value));
  if (node.type !== 'equality') throw new Error(`expected an equality filter, got ${node.type}`);
  return node.value;
}

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    ['*', '\\2a'],
    ['j*', 'j\\2a'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['\0', '\\00'],
    ['a\0b', 'a\\00b'],
    ['\\', '\\5c'],
    ['C:\\MyFile', 'C:\\5cMyFile'],
    ['Parens R Us (for all)', 'Parens R Us \\28for all\\29'],
    [AWKWARD_UID, 'jamees,key\\2acložak\\29ppp'],
    ['张三', '张三'],
    ['plain', 'plain'],
    ['', ''],
  ])('escapes %j as %j', (value, expected) => {
    expect(escapeFilterValue(value)).toBe(expected);
  });

  it('escapes a backslash once, even next to characters that are escaped too', () => {
    // Escaping "\" last would turn the "\2a" made for "*" into "\5c2a".
    expect(escapeFilterValue('\\*')).toBe('\\5c\\2a');
    expect(escapeFilterValue('\\2a')).toBe('\\5c2a');
    expect(escapeFilterValue('\\5c')).toBe('\\5c5c');
  });

  it.each([
    '*',
    'j*',
    '*)(uid=*',
    '\0',
    '\\',
    '\\2a',
    AWKWARD_UID,
    '张三',
    'a$&b$1',
    ')(|(objectClass=*)',
  ])('delivers %j to the server byte for byte (escaped exactly once)', (value) => {
    expect(wireValue(value)).toEqual(Buffer.from(value, 'utf8'));
  });
});

describe('buildFilter', () => {
  it('fills every {0} with the escaped value', () => {
    expect(buildFilter('(|(uid={0})(mail={0}))', 'j*')).toBe('(|(uid=j\\2a)(mail=j\\2a))');
    expect(buildFilter('(uid={0})', AWKWARD_UID)).toBe('(uid=jamees,key\\2acložak\\29ppp)');
  });

  it('keeps an injection attempt inside one equality value', () => {
    const filter = buildFilter('(&(objectClass=person)(uid={0}))', '*)(uid=*');
    expect(filter).toBe('(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))');
    const node = parseLdapFilter(filter);
    expect(node).toEqual({
      type: 'and',
      filters: [
        { type: 'equality', attribute: 'objectClass', value: Buffer.from('person') },
        { type: 'equality', attribute: 'uid', value: Buffer.from('*)(uid=*') },
      ],
    });
  });

  it('does not interpret $ patterns of the value', () => {
    expect(buildFilter('(uid={0})', "$&$'$`$1")).toBe("(uid=$&$'$`$1)");
  });

  it('refuses a template without {0} or one that is not a filter', () => {
    expect(() => buildFilter('(objectClass=person)', 'alice')).toThrow(FilterTemplateError);
    expect(() => buildFilter('uid={0}', 'alice')).toThrow(FilterTemplateError);
    expect(() => buildFilter('(uid={0}', 'alice')).toThrow(FilterTemplateError);
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it.each([
    ['Smith, John', 'Smith\\, John'],
    [AWKWARD_UID, 'jamees\\,key*cložak)ppp'],
    ['a+b', 'a\\+b'],
    ['"quoted"', '\\"quoted\\"'],
    ['x;y<z>', 'x\\;y\\<z\\>'],
    ['back\\slash', 'back\\\\slash'],
    ['#hash', '\\#hash'],
    ['in#side', 'in#side'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    [' ', '\\ '],
    ['nul\0', 'nul\\00'],
    ['李四', '李四'],
  ])('escapes %j as %j', (value, expected) => {
    expect(escapeDnValue(value)).toBe(expected);
  });
});

describe('formatDn', () => {
  it.each([
    ['cn=Smith\\2c John,ou=users,dc=example,dc=com', 'cn=Smith\\, John,ou=users,dc=example,dc=com'],
    ['cn=Smith\\, John,ou=users', 'cn=Smith\\, John,ou=users'],
    ['cn=\\e6\\9d\\8e\\e5\\9b\\9b,ou=users', 'cn=李四,ou=users'],
    ['uid=jamees\\2ckey*clo\\c5\\beak)ppp,ou=x', 'uid=jamees\\,key*cložak)ppp,ou=x'],
    ['CN = a + UID=b , OU=x', 'CN=a+UID=b,OU=x'],
    ['cn=#04024869,dc=x', 'cn=#04024869,dc=x'],
    ['cn="Smith, John";o=x', 'cn=Smith\\, John,o=x'],
    ['cn=a\\ ,dc=x', 'cn=a\\ ,dc=x'],
    ['', ''],
  ])('writes %j as %j', (dn, expected) => {
    expect(formatDn(dn)).toBe(expected);
  });

  it('returns a DN it cannot parse unchanged', () => {
    expect(formatDn('not a dn')).toBe('not a dn');
    expect(formatDn('cn=\\ff\\fe,dc=x')).toBe('cn=\\ff\\fe,dc=x');
  });
});

describe('normalizeDn', () => {
  it('gives the same key for the forms one DN is written in', () => {
    const forms = [
      'cn=Smith\\, John,ou=users,dc=example,dc=com',
      'cn=Smith\\2C John,ou=users,dc=example,dc=com',
      'cn=Smith\\2c John,ou=users,dc=example,dc=com',
      'CN=smith\\, JOHN, OU=Users, DC=Example, DC=COM',
      'cn = Smith\\,  John ,ou=users,dc=example,dc=com',
    ];
    const keys = new Set(forms.map(normalizeDn));
    expect([...keys]).toEqual(['cn=smith\\, john,ou=users,dc=example,dc=com']);
  });

  it('decodes hex escapes of UTF-8 and orders multi-valued RDNs', () => {
    expect(normalizeDn('cn=\\e6\\9d\\8e\\e5\\9b\\9b,ou=users')).toBe(
      normalizeDn('CN=李四,OU=users'),
    );
    expect(normalizeDn('uid=b+cn=a,dc=x')).toBe(normalizeDn('CN=A+UID=B,DC=X'));
  });

  it('keeps different DNs apart', () => {
    expect(normalizeDn('cn=Smith\\, John,ou=users')).not.toBe(
      normalizeDn('cn=Smith,cn=John,ou=users'),
    );
    expect(normalizeDn('cn=a+cn=b,dc=x')).not.toBe(normalizeDn('cn=a,cn=b,dc=x'));
  });
});
