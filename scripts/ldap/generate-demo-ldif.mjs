#!/usr/bin/env node
// Deterministic generator for the demo directory (deploy/ldap/demo-directory.ldif).
//
//   node scripts/ldap/generate-demo-ldif.mjs [--out PATH] [--users N]
//
// Plain Node ESM, no dependencies, no build step. Same input, same bytes out: names, departments,
// phone numbers and password salts all come from a seeded PRNG / the uid, never from the clock.
// Default output is stdout; the committed file is regenerated with
//   node scripts/ldap/generate-demo-ldif.mjs --out deploy/ldap/demo-directory.ldif
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const BASE_DN = 'dc=example,dc=com';
const USERS_DN = `ou=users,${BASE_DN}`;
const GROUPS_DN = `ou=groups,${BASE_DN}`;
const SERVICES_DN = `ou=services,${BASE_DN}`;
const PASSWORD = 'demo-password';

function parseArgs(argv) {
  const opts = { out: null, users: 200 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--out') opts.out = argv[(i += 1)];
    else if (arg === '--users') opts.users = Number(argv[(i += 1)]);
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: generate-demo-ldif.mjs [--out PATH] [--users N]\n');
      process.exit(0);
    } else throw new Error(`unknown argument: ${arg}`);
  }
  if (opts.out === undefined || opts.out === '') throw new Error('--out needs a path');
  if (!Number.isInteger(opts.users) || opts.users < 20) throw new Error('--users must be >= 20');
  return opts;
}

/** mulberry32: tiny seeded PRNG, good enough for demo data and stable across Node versions. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = [
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Oliver',
  'Sophia',
  'Elijah',
  'Isabella',
  'James',
  'Mia',
  'William',
  'Amelia',
  'Benjamin',
  'Harper',
  'Lucas',
  'Evelyn',
  'Henry',
  'Abigail',
  'Alexander',
  'Emily',
  'Daniel',
  'Elizabeth',
  'Michael',
  'Sofia',
  'Matthew',
  'Avery',
  'Samuel',
  'Ella',
  'David',
  'Scarlett',
  'Joseph',
  'Grace',
  'Jackson',
  'Chloe',
  'Sebastian',
  'Victoria',
  'Owen',
  'Riley',
  'Jack',
  'Aria',
  'Luke',
  'Lily',
  'Gabriel',
  'Hannah',
  'Anthony',
  'Nora',
  'Isaac',
  'Zoey',
  'Dylan',
  'Leah',
  'Nathan',
  'Hazel',
  'Ryan',
  'Violet',
  'Caleb',
  'Aurora',
  'Thomas',
  'Lucy',
  'Aaron',
  'Stella',
  'Connor',
  'Maya',
  'Patrick',
  'Claire',
  'Rachel',
  'Sean',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  "O'Brien",
  'Murphy',
  'Kelly',
  'Foster',
  'Hughes',
  'Price',
];
// Chinese family and given names with their pinyin (combined independently).
const CHINESE_FAMILY_NAMES = [
  ['王', 'Wang'],
  ['李', 'Li'],
  ['张', 'Zhang'],
  ['刘', 'Liu'],
  ['陈', 'Chen'],
  ['杨', 'Yang'],
  ['赵', 'Zhao'],
  ['黄', 'Huang'],
  ['周', 'Zhou'],
  ['吴', 'Wu'],
  ['徐', 'Xu'],
  ['孙', 'Sun'],
];
const CHINESE_GIVEN_NAMES = [
  ['伟', 'Wei'],
  ['娜', 'Na'],
  ['敏', 'Min'],
  ['洋', 'Yang'],
  ['静', 'Jing'],
  ['磊', 'Lei'],
  ['丽', 'Li'],
  ['强', 'Qiang'],
  ['杰', 'Jie'],
  ['芳', 'Fang'],
  ['涛', 'Tao'],
  ['燕', 'Yan'],
  ['超', 'Chao'],
  ['琳', 'Lin'],
  ['军', 'Jun'],
  ['晓明', 'Xiaoming'],
  ['嘉怡', 'Jiayi'],
];
// Department name, share of the users, titles (the first user of a department is its manager).
const DEPARTMENTS = [
  [
    'IT',
    0.14,
    'IT Manager',
    [
      'Systems Administrator',
      'Network Engineer',
      'Desktop Support Technician',
      'Security Analyst',
      'IT Technician',
    ],
  ],
  [
    'Finance',
    0.1,
    'Finance Director',
    ['Accountant', 'Financial Analyst', 'Payroll Specialist', 'Controller'],
  ],
  ['HR', 0.07, 'HR Director', ['HR Generalist', 'Recruiter', 'HR Business Partner']],
  [
    'Support',
    0.2,
    'Support Manager',
    ['Support Technician', 'Helpdesk Agent', 'Field Technician', 'Support Team Lead'],
  ],
  [
    'Engineering',
    0.22,
    'VP Engineering',
    [
      'Software Engineer',
      'Senior Software Engineer',
      'QA Engineer',
      'Site Reliability Engineer',
      'Product Designer',
    ],
  ],
  [
    'Sales',
    0.14,
    'Sales Director',
    ['Account Executive', 'Sales Representative', 'Sales Engineer'],
  ],
  ['Marketing', 0.06, 'Marketing Manager', ['Marketing Specialist', 'Content Writer']],
  [
    'Operations',
    0.07,
    'Operations Manager',
    ['Facilities Coordinator', 'Office Manager', 'Logistics Specialist'],
  ],
];
const LOCATIONS = ['New York', 'London', 'Singapore', 'Shanghai', 'Berlin', 'Toronto'];

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const asciiUid = (s) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '');

/** {SSHA} with a salt derived from the uid, so the output is reproducible. */
function ssha(password, uid) {
  const salt = createHash('sha256').update(`gatehouse-demo:${uid}`).digest().subarray(0, 8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** RFC 2849: values that are not SAFE-STRINGs (non-ASCII, leading space/colon/<, ...) go base64. */
function attr(name, value) {
  const safe =
    /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(
      value,
    ) && !value.endsWith(' ');
  return safe ? `${name}: ${value}` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/** RFC 4514 escaping of an attribute value inside a DN. */
function escapeRdnValue(value) {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

function entry(lines) {
  return `${lines.join('\n')}\n`;
}

function generateUsers(count) {
  const rand = prng(20240611);
  const sizes = DEPARTMENTS.map(([, share]) => Math.floor(share * count));
  for (let i = 0; sizes.reduce((a, b) => a + b, 0) < count; i += 1) sizes[i % sizes.length] += 1;
  const taken = new Set(['demo', 'admin']);
  const users = [];
  let n = 0;
  DEPARTMENTS.forEach(([dept, , managerTitle, titles], d) => {
    let manager = null;
    for (let k = 0; k < sizes[d]; k += 1) {
      n += 1;
      const chinese = rand() < 0.12;
      let cn;
      let sn;
      let givenName;
      let displayName;
      let base;
      if (chinese) {
        const [family, pyFamily] = pick(rand, CHINESE_FAMILY_NAMES);
        const [given, pyGiven] = pick(rand, CHINESE_GIVEN_NAMES);
        cn = `${family}${given}`;
        sn = family;
        givenName = given;
        displayName = `${pyGiven} ${pyFamily} (${cn})`;
        base = `${asciiUid(pyGiven)}.${asciiUid(pyFamily)}`;
      } else {
        givenName = pick(rand, FIRST_NAMES);
        sn = pick(rand, LAST_NAMES);
        cn = `${givenName} ${sn}`;
        displayName = cn;
        base = `${asciiUid(givenName)}.${asciiUid(sn)}`;
      }
      let uid = base;
      for (let suffix = 2; taken.has(uid); suffix += 1) uid = `${base}${suffix}`;
      taken.add(uid);
      const user = {
        uid,
        dn: `uid=${escapeRdnValue(uid)},${USERS_DN}`,
        cn,
        sn,
        givenName,
        displayName,
        mail: [`${uid}@example.com`],
        employeeNumber: String(20000 + n),
        title: k === 0 ? managerTitle : pick(rand, titles),
        dept,
        l: pick(rand, LOCATIONS),
        mobile: `+1 555 ${String(1000 + Math.floor(rand() * 9000))}`,
        telephoneNumber: `+1 212 555 ${String(1000 + n).padStart(4, '0')}`,
        manager: manager?.dn ?? null,
      };
      if (k === 0) manager = user;
      users.push(user);
    }
  });
  return users;
}

function userEntry(u) {
  return entry([
    attr('dn', u.dn),
    'objectClass: top',
    'objectClass: person',
    'objectClass: organizationalPerson',
    'objectClass: inetOrgPerson',
    attr('uid', u.uid),
    attr('cn', u.cn),
    attr('sn', u.sn),
    attr('givenName', u.givenName),
    attr('displayName', u.displayName),
    ...u.mail.map((m) => attr('mail', m)),
    attr('employeeNumber', u.employeeNumber),
    attr('title', u.title),
    attr('departmentNumber', u.dept),
    attr('ou', u.dept),
    attr('l', u.l),
    attr('mobile', u.mobile),
    attr('telephoneNumber', u.telephoneNumber),
    ...(u.manager ? [attr('manager', u.manager)] : []),
    attr('userPassword', ssha(PASSWORD, u.uid)),
  ]);
}

function groupEntry(cn, description, members, unique = false) {
  if (members.length === 0) throw new Error(`group ${cn} has no members`);
  return entry([
    attr('dn', `cn=${escapeRdnValue(cn)},${GROUPS_DN}`),
    `objectClass: ${unique ? 'groupOfUniqueNames' : 'groupOfNames'}`,
    attr('cn', cn),
    attr('description', description),
    ...[...new Set(members)].map((m) => attr(unique ? 'uniqueMember' : 'member', m)),
  ]);
}

const groupDn = (cn) => `cn=${escapeRdnValue(cn)},${GROUPS_DN}`;

function generate({ users: count }) {
  const users = generateUsers(count);
  const demo = {
    uid: 'demo',
    dn: `uid=demo,${USERS_DN}`,
    cn: 'Demo User',
    sn: 'User',
    givenName: 'Demo',
    displayName: 'Demo User',
    mail: ['demo@example.com'],
    employeeNumber: '20000',
    title: 'Demo Administrator',
    dept: 'IT',
    l: 'New York',
    mobile: '+1 555 0000',
    telephoneNumber: '+1 212 555 0000',
    manager: null,
  };
  const inDept = (...depts) => users.filter((u) => depts.includes(u.dept)).map((u) => u.dn);
  const technicians = users
    .filter(
      (u) => u.dept === 'Support' || (u.dept === 'IT' && /Technician|Administrator/.test(u.title)),
    )
    .map((u) => u.dn);
  const managers = users.filter((u) => u.manager === null).map((u) => u.dn);

  const out = [];
  out.push(`# Demo directory for Gatehouse - GENERATED by scripts/ldap/generate-demo-ldif.mjs, do not edit.
# Regenerate: node scripts/ldap/generate-demo-ldif.mjs --out deploy/ldap/demo-directory.ldif
#
# Suffix ${BASE_DN}. This file CONTAINS the base entries:
#   ${BASE_DN}, ${USERS_DN}, ${GROUPS_DN}, ${SERVICES_DN}
# so load it into an EMPTY database, e.g. (what scripts/ldap/demo-slapd.sh does)
#   slapadd -b ${BASE_DN} -l demo-directory.ldif
# or with ldapadd as the rootdn. A container image that creates the suffix entry itself must be
# told not to (otherwise the first entry fails with "Already exists"; ldapadd -c continues).
# Schemas needed: core, cosine, inetorgperson.
#
# PASSWORDS: every entry with a userPassword uses  ${PASSWORD}  (stored as {SSHA}).
#   Demo login:   uid=demo (uid=demo,${USERS_DN}), member of every group
#   Service bind: cn=gatehouse-sync,${SERVICES_DN}
#   Other users:  uid first.last, e.g. ${users[0].uid}; Chinese names have a pinyin uid
#                 (e.g. ${users.find((u) => u.displayName.endsWith(')'))?.uid}) and the Chinese name in cn/sn/givenName
#   The rootdn cn=admin,${BASE_DN} belongs to the server config, not to this file
#   (demo-slapd.sh sets its password to admin-secret).
#
# ${users.length + 1} users (uid=demo + ${users.length}) in ${USERS_DN}; groups in ${GROUPS_DN}:
#   tts-technicians, tts-users (has cn=tts-technicians as a member: nested), ams-users,
#   ams-admins, bms-users (groupOfUniqueNames), hdts-agents, hdts-employees, managers.
`);
  out.push(
    entry([
      `dn: ${BASE_DN}`,
      'objectClass: top',
      'objectClass: dcObject',
      'objectClass: organization',
      'dc: example',
      'o: Example Corp',
    ]),
  );
  for (const [ou, description] of [
    ['users', 'People'],
    ['groups', 'Groups'],
    ['services', 'Service accounts'],
  ]) {
    out.push(
      entry([
        `dn: ou=${ou},${BASE_DN}`,
        'objectClass: top',
        'objectClass: organizationalUnit',
        `ou: ${ou}`,
        `description: ${description}`,
      ]),
    );
  }
  out.push(
    entry([
      `dn: cn=gatehouse-sync,${SERVICES_DN}`,
      'objectClass: applicationProcess',
      'objectClass: simpleSecurityObject',
      'cn: gatehouse-sync',
      'description: Bind account for the Gatehouse directory sync',
      attr('userPassword', ssha(PASSWORD, 'gatehouse-sync')),
    ]),
  );
  out.push(userEntry(demo));
  for (const u of users) out.push(userEntry(u));

  out.push(
    groupEntry('tts-technicians', 'Ticket tracking system technicians', [demo.dn, ...technicians]),
  );
  out.push(
    groupEntry('tts-users', 'Ticket tracking system users (nests tts-technicians)', [
      demo.dn,
      ...inDept('Engineering', 'Operations'),
      groupDn('tts-technicians'),
    ]),
  );
  out.push(
    groupEntry('ams-users', 'Asset management system users', [
      demo.dn,
      ...inDept('IT', 'Finance', 'Operations', 'Support'),
    ]),
  );
  out.push(
    groupEntry('ams-admins', 'Asset management system administrators', [
      demo.dn,
      ...users
        .filter((u) => u.dept === 'IT')
        .slice(0, 4)
        .map((u) => u.dn),
      ...users
        .filter((u) => u.dept === 'Finance')
        .slice(0, 1)
        .map((u) => u.dn),
    ]),
  );
  out.push(
    groupEntry(
      'bms-users',
      'Building management system users (groupOfUniqueNames)',
      [demo.dn, ...inDept('Operations', 'HR'), ...managers],
      true,
    ),
  );
  out.push(
    groupEntry('hdts-agents', 'Helpdesk ticketing system agents', [demo.dn, ...inDept('Support')]),
  );
  out.push(
    groupEntry('hdts-employees', 'Helpdesk ticketing system employees (everybody)', [
      demo.dn,
      ...users.map((u) => u.dn),
    ]),
  );
  out.push(groupEntry('managers', 'Department managers', managers));
  return out.join('\n');
}

const opts = parseArgs(process.argv.slice(2));
const ldif = generate(opts);
if (opts.out) {
  writeFileSync(opts.out, ldif, 'utf8');
  process.stderr.write(`generate-demo-ldif: wrote ${opts.out}\n`);
} else {
  process.stdout.write(ldif);
}
