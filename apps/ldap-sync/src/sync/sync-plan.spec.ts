import type { LdapEntry } from '../ldap/ldap-connection';
import { DEFAULT_FIELD_MAPPING } from '../ldap-config/ldap-field-mapping.util';
import { type CurrentLdapUser, deletionRefusal, planPage } from './sync-plan';

function entry(uid: string, uuid: string, mail = `${uid}@example.com`, ou = 'users'): LdapEntry {
  return {
    dn: `uid=${uid},ou=${ou},dc=example,dc=com`,
    attributes: {
      uid: [uid],
      cn: [`${uid} user`],
      givenName: [uid],
      sn: ['User'],
      mail: [mail],
      entryUUID: [uuid],
    },
  };
}

function row(id: string, uid: string, uuid: string, active = true): CurrentLdapUser {
  return {
    id,
    ldapUuid: uuid,
    username: uid,
    email: `${uid}@example.com`,
    firstName: uid,
    lastName: 'User',
    employeeNumber: null,
    ldapDn: `uid=${uid},ou=users,dc=example,dc=com`,
    active,
  };
}

const mapping = { ...DEFAULT_FIELD_MAPPING };

describe('planPage', () => {
  it('creates unknown entries, leaves unchanged ones alone and records what it saw', () => {
    const current = new Map([
      ['u-1', row('1', 'alice', 'u-1')],
      ['u-2', row('2', 'bob', 'u-2')],
    ]);
    const seen = new Set<string>();
    const plan = planPage(current, seen, [entry('alice', 'u-1'), entry('carol', 'u-3')], mapping);
    expect(plan.created.map((user) => user.username)).toEqual(['carol']);
    expect(plan.updated).toEqual([]);
    expect(plan.failed).toEqual([]);
    expect([...seen]).toEqual(['u-1', 'u-3']);
  });

  it('reports changed fields by name', () => {
    const current = new Map([['u-1', row('1', 'alice', 'u-1')]]);
    const plan = planPage(current, new Set(), [entry('alice', 'u-1', 'new@example.com')], mapping);
    expect(plan.updated).toEqual([expect.objectContaining({ id: '1', changes: ['email'] })]);
  });

  it('treats a renamed or moved entry (same id) as an update, never delete + create', () => {
    const current = new Map([['u-1', row('1', 'alice', 'u-1')]]);
    const seen = new Set<string>();
    const plan = planPage(
      current,
      seen,
      [entry('alice2', 'u-1', 'alice@example.com', 'people')],
      mapping,
    );
    expect(plan.created).toEqual([]);
    expect(plan.updated).toEqual([
      expect.objectContaining({ id: '1', changes: ['username', 'firstName', 'dn'] }),
    ]);
    expect(seen.has('u-1')).toBe(true);
  });

  it('reactivates a deactivated user whose entry is back', () => {
    const current = new Map([['u-1', row('1', 'alice', 'u-1', false)]]);
    const plan = planPage(current, new Set(), [entry('alice', 'u-1')], mapping);
    expect(plan.updated).toEqual([expect.objectContaining({ changes: ['active'] })]);
  });

  it('records entries without a username or stable id as failed and goes on', () => {
    const noUid = entry('x', 'u-9');
    delete noUid.attributes.uid;
    const noId = entry('y', 'u-8');
    delete noId.attributes.entryUUID;
    const plan = planPage(new Map(), new Set(), [noUid, noId, entry('z', 'u-7')], mapping);
    expect(plan.failed.map((failed) => failed.username)).toEqual([null, 'y']);
    expect(plan.failed[0]?.reason).toMatch(/username/);
    expect(plan.failed[1]?.reason).toMatch(/entryUUID/);
    expect(plan.created.map((user) => user.username)).toEqual(['z']);
  });

  it('fails a repeated id across pages', () => {
    const seen = new Set<string>();
    planPage(new Map(), seen, [entry('a', 'u-1')], mapping);
    const plan = planPage(new Map(), seen, [entry('b', 'u-1')], mapping);
    expect(plan.failed).toEqual([expect.objectContaining({ username: 'b' })]);
  });
});

describe('deletionRefusal', () => {
  it('allows no deletions, and deletions up to 20%', () => {
    expect(
      deletionRefusal({ entriesRead: 0, activeLdapUsers: 0, deletions: 0, force: false }),
    ).toBe(null);
    expect(
      deletionRefusal({ entriesRead: 8, activeLdapUsers: 10, deletions: 2, force: false }),
    ).toBe(null);
  });

  it('refuses more than 20% unless forced', () => {
    expect(
      deletionRefusal({ entriesRead: 7, activeLdapUsers: 10, deletions: 3, force: false }),
    ).toMatch(/force=true/);
    expect(
      deletionRefusal({ entriesRead: 7, activeLdapUsers: 10, deletions: 3, force: true }),
    ).toBe(null);
  });

  it('refuses when the directory returned nothing, even forced', () => {
    expect(
      deletionRefusal({ entriesRead: 0, activeLdapUsers: 10, deletions: 10, force: true }),
    ).toMatch(/no entries/);
  });

  it('honours a configured ratio', () => {
    expect(
      deletionRefusal({
        entriesRead: 5,
        activeLdapUsers: 10,
        deletions: 5,
        force: false,
        maxRatio: 0.5,
      }),
    ).toBe(null);
  });
});
