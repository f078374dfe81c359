import type { LdapEntry } from '../ldap/ldap-connection';
import {
  DEFAULT_FIELD_MAPPING,
  mapDirectoryUser,
  mappedAttributeNames,
  resolveFieldMapping,
} from './ldap-field-mapping.util';

const zhangsan: LdapEntry = {
  dn: 'uid=zhangsan,ou=users,dc=example,dc=com',
  attributes: {
    uid: ['zhangsan'],
    cn: ['张三'],
    sn: ['张'],
    givenName: ['三'],
    mail: ['zhangsan@example.com'],
    mobile: ['+1 555 0122'],
    departmentNumber: ['Support'],
    title: ['Support Technician'],
    employeeNumber: ['1022'],
    entryUUID: ['2c4e0c1a-56a3-103f-8d3b-3b9c2c1f0a11'],
  },
};

describe('resolveFieldMapping', () => {
  it('fills missing fields with the defaults and keeps stored ones', () => {
    expect(resolveFieldMapping({ department: 'departmentNumber' })).toEqual({
      ...DEFAULT_FIELD_MAPPING,
      department: 'departmentNumber',
    });
    expect(resolveFieldMapping(null)).toEqual(DEFAULT_FIELD_MAPPING);
  });

  it('treats an empty string as deliberately unmapped', () => {
    expect(resolveFieldMapping({ phone: '' }).phone).toBe('');
  });
});

describe('mappedAttributeNames', () => {
  it('lists each mapped attribute once, ignoring case and unmapped fields', () => {
    const names = mappedAttributeNames(
      resolveFieldMapping({ name: 'displayName', title: 'DisplayName', phone: '' }),
    );
    expect(names).toEqual([
      'uid',
      'displayName',
      'mail',
      'department',
      'employeeNumber',
      'givenName',
      'sn',
    ]);
  });
});

describe('mapDirectoryUser', () => {
  it('maps through the field mapping, names defaulting to givenName and sn', () => {
    const mapping = resolveFieldMapping({ department: 'departmentNumber' });
    const { mapped, attributes } = mapDirectoryUser(zhangsan, mapping, 'zhangsan');
    expect(mapped).toEqual({
      username: 'zhangsan',
      name: '张三',
      firstName: '三',
      lastName: '张',
      email: 'zhangsan@example.com',
      phone: '+1 555 0122',
      department: 'Support',
      title: 'Support Technician',
      employeeNumber: '1022',
    });
    expect(attributes).toEqual({
      uid: 'zhangsan',
      cn: '张三',
      mail: 'zhangsan@example.com',
      mobile: '+1 555 0122',
      departmentNumber: 'Support',
      title: 'Support Technician',
      employeeNumber: '1022',
      givenName: '三',
      sn: '张',
    });
  });

  it('gives the first value to mapped and all values to attributes', () => {
    const entry: LdapEntry = {
      dn: 'uid=niaj,ou=users,dc=example,dc=com',
      attributes: { uid: ['niaj'], cn: ['Niaj'], mail: ['niaj@example.com', 'lead@example.com'] },
    };
    const { mapped, attributes } = mapDirectoryUser(entry, DEFAULT_FIELD_MAPPING, 'niaj');
    expect(mapped.email).toBe('niaj@example.com');
    expect(attributes.mail).toEqual(['niaj@example.com', 'lead@example.com']);
  });

  it('gives null for missing optional fields and falls back for username and name', () => {
    const entry: LdapEntry = {
      dn: 'cn=x,dc=example,dc=com',
      attributes: { GIVENNAME: ['Oscar'], SN: ['Owens'] },
    };
    const { mapped, attributes } = mapDirectoryUser(entry, DEFAULT_FIELD_MAPPING, 'oscar');
    expect(mapped).toEqual({
      username: 'oscar',
      name: 'Oscar Owens',
      firstName: 'Oscar',
      lastName: 'Owens',
      email: null,
      phone: null,
      department: null,
      title: null,
      employeeNumber: null,
    });
    expect(attributes).toEqual({ givenName: 'Oscar', sn: 'Owens' });
  });

  it('leaves unmapped fields empty even when the default attribute exists', () => {
    const mapping = resolveFieldMapping({ email: '', firstName: '' });
    const { mapped, attributes } = mapDirectoryUser(zhangsan, mapping, 'zhangsan');
    expect(mapped.email).toBeNull();
    expect(mapped.firstName).toBe('');
    expect(attributes).not.toHaveProperty('mail');
  });
});
