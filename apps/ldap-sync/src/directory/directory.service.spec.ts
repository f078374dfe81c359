import { DomainError } from '@gatehouse/contracts';
import { serverInfo } from '../ldap-settings/ldap-settings.service';
import { buildKeywordFilter, DEFAULT_USER_SEARCH } from './directory.service';

describe('buildKeywordFilter', () => {
  it('escapes the keyword once into every {keyword}', () => {
    expect(buildKeywordFilter(DEFAULT_USER_SEARCH, 'zhang')).toBe('(|(uid=*zhang*)(cn=*zhang*))');
    expect(buildKeywordFilter(DEFAULT_USER_SEARCH, '*)(uid=*')).toBe(
      '(|(uid=*\\2a\\29\\28uid=\\2a*)(cn=*\\2a\\29\\28uid=\\2a*))',
    );
    expect(buildKeywordFilter('(uid={keyword})', '\\2a\0')).toBe('(uid=\\5c2a\\00)');
  });

  it('does not treat $ patterns in the keyword specially', () => {
    expect(buildKeywordFilter('(uid={keyword})', "$&$1$'")).toBe("(uid=$&$1$')");
  });

  it.each(['(uid=*)', '(uid={keyword}', 'uid={keyword}', '(&(uid={keyword}))(cn=*'])(
    'refuses the template %p with VALIDATION_FAILED on searchFilter',
    (template) => {
      let caught: unknown;
      try {
        buildKeywordFilter(template, 'a');
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DomainError);
      expect(caught).toMatchObject({
        code: 'VALIDATION_FAILED',
        fields: [{ field: 'searchFilter' }],
      });
    },
  );
});

describe('serverInfo', () => {
  const dse = (attributes: Record<string, string[]>) => ({ dn: '', attributes });

  it('recognises OpenLDAP by its root DSE object class', () => {
    expect(
      serverInfo(dse({ objectClass: ['top', 'OpenLDAProotDSE'], supportedLDAPVersion: ['3'] })),
    ).toEqual({ version: '3', vendor: 'OpenLDAP' });
    expect(serverInfo(dse({ structuralObjectClass: ['OpenLDAProotDSE'] })).vendor).toBe('OpenLDAP');
  });

  it('recognises Active Directory by forestFunctionality', () => {
    expect(
      serverInfo(dse({ forestFunctionality: ['7'], supportedLDAPVersion: ['3', '2'] })),
    ).toEqual({ version: '3', vendor: 'Active Directory' });
  });

  it('prefers vendorName and names 389 Directory Server', () => {
    expect(
      serverInfo(dse({ vendorName: ['389 Project'], vendorVersion: ['389-Directory/2.4'] })),
    ).toEqual({ version: '389-Directory/2.4', vendor: '389 Directory Server' });
    expect(serverInfo(dse({ vendorName: ['Example Inc.'] })).vendor).toBe('Example Inc.');
  });

  it('answers nulls when the root DSE says nothing', () => {
    expect(serverInfo(dse({}))).toEqual({ version: null, vendor: null });
  });
});
