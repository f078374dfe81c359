/** The benchmark's directory: N inetOrgPerson users under ou=users and G groupOfNames under
 *  ou=groups, each group holding `membersPerGroup` users (user i is in group i mod G), written as
 *  one LDIF for slapadd. Values are ASCII and deterministic, so a run is repeatable; a tenth of the
 *  users carry a non-ASCII cn (base64 in the LDIF, UTF-8 on the wire) like a real directory.
 *  Every entry carries its own create/modify timestamps (EDITED_AT, in the past), as a directory
 *  that was last edited before the benchmark: slapadd would stamp the load's time instead, and an
 *  incremental run (modifyTimestamp ≥ the last run minus its overlap) would read every entry. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export const BASE_DN = 'dc=example,dc=com';
export const USERS_BASE = `ou=users,${BASE_DN}`;
export const GROUPS_BASE = `ou=groups,${BASE_DN}`;

/** When the generated entries were last changed, as slapadd stores it. */
export const EDITED_AT = '20260101000000Z';
const TIMESTAMPS = [`createTimestamp: ${EDITED_AT}`, `modifyTimestamp: ${EDITED_AT}`];

export interface DirectoryShape {
  users: number;
  groups: number;
  membersPerGroup: number;
}

export function uidOf(index: number): string {
  return `bench.u${String(index).padStart(6, '0')}`;
}

export function userDn(index: number): string {
  return `uid=${uidOf(index)},${USERS_BASE}`;
}

function groupName(index: number): string {
  return `bench-g${String(index).padStart(4, '0')}`;
}

const GIVEN = ['Ada', 'Bo', 'Chen', 'Dana', 'Eli', 'Fay', 'Gus', 'Hua', 'Ivo', 'Jun', 'Kai', 'Li'];
const FAMILY = ['Wang', 'Smith', 'Garcia', 'Müller', 'Zhang', 'Okafor', 'Novak', 'Rossi', 'Kim'];
const TITLES = ['Technician', 'Engineer', 'Analyst', 'Manager', 'Agent', 'Clerk'];

function userEntry(index: number): string {
  const uid = uidOf(index);
  const given = GIVEN[index % GIVEN.length];
  const family = FAMILY[index % FAMILY.length];
  const cn = `${given} ${family} ${index}`;
  const lines = [
    `dn: ${userDn(index)}`,
    'objectClass: top',
    'objectClass: person',
    'objectClass: organizationalPerson',
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    /^[\x20-\x7e]*$/.test(cn) ? `cn: ${cn}` : `cn:: ${Buffer.from(cn).toString('base64')}`,
    /^[\x20-\x7e]*$/.test(family)
      ? `sn: ${family}`
      : `sn:: ${Buffer.from(family).toString('base64')}`,
    `givenName: ${given}`,
    `mail: ${uid}@bench.example.com`,
    `mobile: +1 555 ${String(index).padStart(7, '0')}`,
    `title: ${TITLES[index % TITLES.length]}`,
    `employeeNumber: E${String(index).padStart(7, '0')}`,
    ...TIMESTAMPS,
  ];
  return `${lines.join('\n')}\n\n`;
}

function groupEntry(group: number, shape: DirectoryShape): string {
  const lines = [
    `dn: cn=${groupName(group)},${GROUPS_BASE}`,
    'objectClass: top',
    'objectClass: groupOfNames',
    `cn: ${groupName(group)}`,
    `description: benchmark group ${group}`,
    ...TIMESTAMPS,
  ];
  for (let member = 0; member < shape.membersPerGroup; member += 1) {
    const user = member * shape.groups + group;
    if (user >= shape.users) break;
    lines.push(`member: ${userDn(user)}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** Writes the LDIF to `path`; resolves once it is flushed. */
export async function writeDirectoryLdif(path: string, shape: DirectoryShape): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    [
      `dn: ${BASE_DN}`,
      'objectClass: dcObject',
      'objectClass: organization',
      'dc: example',
      'o: Gatehouse benchmark',
      '',
      `dn: ${USERS_BASE}`,
      'objectClass: organizationalUnit',
      'ou: users',
      '',
      `dn: ${GROUPS_BASE}`,
      'objectClass: organizationalUnit',
      'ou: groups',
      '',
      '',
    ].join('\n'),
  );
  for (let index = 0; index < shape.users; index += 1) await write(userEntry(index));
  for (let group = 0; group < shape.groups; group += 1) await write(groupEntry(group, shape));
  out.end();
  await once(out, 'finish');
}

/** LDIF for ldapmodify: a new mail and title for `count` users spread evenly over the directory
 *  (every (users / count)-th one), so the change touches every page of a paged read. */
export function changeLdif(shape: DirectoryShape, count: number, round: number): string {
  const step = Math.max(1, Math.floor(shape.users / count));
  const parts: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const index = (n * step) % shape.users;
    parts.push(
      [
        `dn: ${userDn(index)}`,
        'changetype: modify',
        'replace: mail',
        `mail: ${uidOf(index)}.r${round}@bench.example.com`,
        '-',
        'replace: title',
        `title: Changed ${round}`,
        '',
        '',
      ].join('\n'),
    );
  }
  return parts.join('');
}
