import type { LdapEntry } from '../ldap/ldap-connection';
import { normalizeDn } from '../ldap/ldap-escape';
import {
  buildUserIndex,
  dnKey,
  groupDeletionRefusal,
  groupEdges,
  groupKind,
  isSkipped,
  parseGroupEntry,
  type DirectoryGroup,
} from './group-plan';

const BASE = 'ou=groups,dc=example,dc=com';

function groupEntry(
  cn: string,
  classes: string[],
  attrs: Record<string, string[]> = {},
): LdapEntry {
  return {
    dn: `cn=${cn},${BASE}`,
    attributes: { cn: [cn], objectClass: classes, entryUUID: [`uuid-${cn}`], ...attrs },
  };
}

function parsed(entry: LdapEntry): DirectoryGroup {
  const group = parseGroupEntry(entry);
  if (isSkipped(group)) throw new Error(group.reason);
  return group;
}

describe('parseGroupEntry', () => {
  it('reads groupOfNames members as normalised DNs', () => {
    const group = parsed(
      groupEntry('devs', ['top', 'groupOfNames'], {
        member: [
          'UID=Alice,ou=users,dc=example,dc=com',
          'cn=Smith\\2C John,ou=users,dc=example,dc=com',
        ],
      }),
    );
    expect(group).toMatchObject({ kind: 'groupOfNames', cn: 'devs', ldapUuid: 'uuid-devs' });
    expect(group.memberDnKeys).toEqual([
      'uid=alice,ou=users,dc=example,dc=com',
      'cn=smith\\, john,ou=users,dc=example,dc=com',
    ]);
  });

  it('strips the optional UID of uniqueMember values', () => {
    const group = parsed(
      groupEntry('admins', ['groupOfUniqueNames'], {
        uniqueMember: ["uid=bob,ou=users,dc=example,dc=com#'0101'B"],
      }),
    );
    expect(group.kind).toBe('groupOfUniqueNames');
    expect(group.memberDnKeys).toEqual(['uid=bob,ou=users,dc=example,dc=com']);
  });

  it('reads posixGroup memberUid values lower-cased', () => {
    const group = parsed(
      groupEntry('staff', ['posixGroup'], { memberUid: ['Alice', 'bob', 'alice'] }),
    );
    expect(group).toMatchObject({ kind: 'posixGroup', memberUids: ['alice', 'bob'] });
  });

  it('skips entries without a stable id or of no group kind', () => {
    const noId: LdapEntry = { dn: `cn=x,${BASE}`, attributes: { objectClass: ['groupOfNames'] } };
    expect(isSkipped(parseGroupEntry(noId))).toBe(true);
    expect(isSkipped(parseGroupEntry(groupEntry('ou', ['organizationalUnit'])))).toBe(true);
    expect(groupKind(groupEntry('both', ['posixGroup', 'groupOfNames']))).toBe('groupOfNames');
  });
});

describe('groupEdges', () => {
  const users = buildUserIndex([
    { id: '1', ldapDn: 'uid=alice,ou=users,dc=example,dc=com', username: 'alice' },
    { id: '2', ldapDn: 'cn=Smith\\, John,ou=users,dc=example,dc=com', username: 'jsmith' },
  ]);
  const groups = new Map([
    [`cn=inner,${BASE}`, '10'],
    [`cn=outer,${BASE}`, '11'],
  ]);

  it('splits members into users, nested groups and unresolved values', () => {
    const outer = parsed(
      groupEntry('outer', ['groupOfNames'], {
        member: [
          'uid=alice,ou=users,dc=example,dc=com',
          'cn=Smith\\2C John,ou=users,dc=example,dc=com',
          `cn=inner,${BASE}`,
          `cn=outer,${BASE}`,
          'uid=ghost,ou=users,dc=example,dc=com',
        ],
      }),
    );
    expect(groupEdges(outer, users, groups, '11')).toEqual({
      userIds: ['1', '2'],
      groupIds: ['10'],
      unresolved: 1,
    });
  });

  it('matches memberUid by username', () => {
    const posix = parsed(groupEntry('p', ['posixGroup'], { memberUid: ['JSMITH', 'nobody'] }));
    expect(groupEdges(posix, users, groups, '12')).toEqual({
      userIds: ['2'],
      groupIds: [],
      unresolved: 1,
    });
  });
});

describe('groupDeletionRefusal', () => {
  const check = { groupsRead: 10, existingGroups: 10, deletions: 1, force: false, maxRatio: 0.2 };

  it('allows removals within the share, refuses above it unless forced', () => {
    expect(groupDeletionRefusal(check)).toBeNull();
    expect(groupDeletionRefusal({ ...check, deletions: 3 })).toMatch(/force=true/);
    expect(groupDeletionRefusal({ ...check, deletions: 3, force: true })).toBeNull();
  });

  it('never removes groups after an empty read, even forced', () => {
    expect(groupDeletionRefusal({ ...check, groupsRead: 0, force: true })).toMatch(/no groups/);
    expect(groupDeletionRefusal({ ...check, groupsRead: 0, deletions: 0 })).toBeNull();
  });
});

describe('dnKey', () => {
  it('gives the same key as normalizeDn, fast path or not', () => {
    for (const dn of [
      'uid=alice,ou=users,dc=example,dc=com',
      'UID=Alice , OU=Users,DC=Example,DC=com',
      'cn=John  Smith,ou=users,dc=example,dc=com',
      'cn=Smith\\, John,ou=users,dc=example,dc=com',
      'cn=Smith\\2C John,ou=users,dc=example,dc=com',
      'cn=李四,ou=users,dc=example,dc=com',
      'cn=a+uid=b,dc=example,dc=com',
      '2.5.4.3=x,dc=example,dc=com',
      'cn=x=y,dc=example',
      'not a dn',
      'cn=,dc=example',
      'CN=Ops-Team_2.x,OU=Groups,DC=Example,DC=com',
      'cn=a,,dc=example',
      '=x,dc=example',
    ]) {
      expect([dn, dnKey(dn)]).toEqual([dn, normalizeDn(dn)]);
    }
  });
});
