import { createHash } from 'node:crypto';
import { DEFAULT_FIELD_MAPPING } from '../ldap-config/ldap-field-mapping.util';
import { mappedAttributes, sshaPassword } from './directory-entry.util';

describe('directory entry attributes', () => {
  it('maps the user through the field mapping, with cn and sn always present', () => {
    expect(
      mappedAttributes(
        DEFAULT_FIELD_MAPPING,
        { firstName: 'New', lastName: 'Hire', email: 'n@example.com', employeeNumber: null },
        'new.hire',
      ),
    ).toEqual({
      cn: ['New Hire'],
      givenName: ['New'],
      sn: ['Hire'],
      mail: ['n@example.com'],
      employeeNumber: [],
    });
  });

  it('falls back to the username for cn and sn, and follows a custom mapping', () => {
    const mapping = { ...DEFAULT_FIELD_MAPPING, email: 'userPrincipalName', name: 'displayName' };
    expect(mappedAttributes(mapping, { firstName: '', lastName: '' }, 'svc')).toEqual({
      displayName: ['svc'],
      cn: ['svc'],
      givenName: [],
      sn: ['svc'],
      userPrincipalName: [],
      employeeNumber: [],
    });
  });

  it('hashes passwords as salted SHA that verifies against the salt', () => {
    const hashed = sshaPassword('Passw0rd!x');
    expect(hashed).toMatch(/^\{SSHA\}/);
    const raw = Buffer.from(hashed.slice(6), 'base64');
    const salt = raw.subarray(20);
    expect(raw.subarray(0, 20)).toEqual(
      createHash('sha1').update('Passw0rd!x').update(salt).digest(),
    );
    expect(sshaPassword('Passw0rd!x')).not.toBe(hashed);
  });
});
