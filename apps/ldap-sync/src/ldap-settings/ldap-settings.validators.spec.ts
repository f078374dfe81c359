import {
  checkDn,
  checkFilterTemplate,
  checkServerUrl,
  fieldErrors,
} from './ldap-settings.validators';

describe('checkServerUrl', () => {
  it.each([
    'ldap://ldap.example.com:389',
    'ldaps://10.0.0.1:636',
    'LDAP://host',
    'ldap://[::1]:389/',
  ])('accepts %p', (url) => expect(checkServerUrl(url)).toBeNull());

  it.each([
    'http://ldap.example.com',
    'ldap.example.com:389',
    'ldap://',
    'ldap://user:pw@host',
    'ldap://host/dc=example,dc=com',
    'ldap://host?x',
    '',
  ])('refuses %p', (url) => expect(checkServerUrl(url)).not.toBeNull());
});

describe('checkDn', () => {
  it.each([
    'dc=example,dc=com',
    'cn=admin,dc=example,dc=com',
    'cn=Smith\\, John,ou=users,dc=example,dc=com',
    'cn=\\e6\\9d\\8e,ou=users',
    'cn=李四,ou=users,dc=example,dc=com',
    'cn=a+sn=b,dc=example',
    '1.3.6.1.4.1.1466.0=#04024869,dc=example',
    'ou = users , dc = example',
  ])('accepts %p', (dn) => expect(checkDn(dn)).toBeNull());

  it.each([
    'example.com',
    'cn=,dc=example',
    'cn=a,',
    '=a,dc=example',
    '1cn=a',
    'cn=a"b',
    'cn=a\\',
    'cn=a;dc=b',
    'cn=<x>',
    'cn=#zz',
  ])('refuses %p', (dn) => expect(checkDn(dn)).not.toBeNull());

  it('accepts the empty DN only when allowed', () => {
    expect(checkDn('')).not.toBeNull();
    expect(checkDn('', true)).toBeNull();
  });
});

describe('checkFilterTemplate', () => {
  it.each(['(uid={0})', '(|(member={0})(uniqueMember={0}))', '(&(objectClass=person)(mail={0}))'])(
    'accepts %p',
    (template) => expect(checkFilterTemplate(template)).toBeNull(),
  );

  it('refuses a template without {0}', () => {
    expect(checkFilterTemplate('(uid=admin)')).toContain('{0}');
  });

  it.each(['uid={0}', '(uid={0}', '(&(uid={0})', '(uid={0}))(cn=*'])('refuses %p', (template) => {
    expect(checkFilterTemplate(template)).toContain('RFC 4515');
  });
});

describe('fieldErrors', () => {
  it('names each failing field', () => {
    expect(fieldErrors({ server: 'must start with ldap://', baseDN: null })).toEqual([
      { field: 'server', message: 'server must start with ldap://' },
    ]);
  });
});
