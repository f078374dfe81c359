/**
 * GET /groups/{groupDN}/members against a directory that answers like Active Directory: a group
 * of 3,200 members comes back as `member;range=0-1499`, and the rest only when asked for
 * `member;range=1500-*` (then `member;range=3000-*`). OpenLDAP never does this, so the directory
 * here is an in-process fake built on ldapjs' server API. DirectoryService must read every range
 * and page the members, never return the first 1,500 as if they were all.
 */
import type { AddressInfo } from 'node:net';
import * as ldap from 'ldapjs';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { DirectoryService } from '../../apps/ldap-sync/src/directory/directory.service';
import type { LdapAuthService } from '../../apps/ldap-sync/src/ldap-auth/ldap-auth.service';
import type {
  LdapConfigService,
  LdapDirectory,
} from '../../apps/ldap-sync/src/ldap-config/ldap-config.service';
import { DEFAULT_FIELD_MAPPING } from '../../apps/ldap-sync/src/ldap-config/ldap-field-mapping.util';
import { LdapAdapter } from '../../apps/ldap-sync/src/ldap/ldap.adapter';

/** The parts of ldapjs' server API used here (@types/ldapjs describes ldapjs 2). */
interface FakeRequest {
  dn: { toString(): string };
  attributes: string[];
}
interface FakeResponse {
  messageId: number;
  send(entry: unknown): void;
  end(): void;
}
type Handler = (req: FakeRequest, res: FakeResponse, next: () => void) => void;
interface FakeServer {
  bind(base: string, handler: Handler): void;
  search(base: string, handler: Handler): void;
  listen(port: number, host: string, callback: () => void): void;
  address(): AddressInfo;
  close(): void;
}
const ldapjs = ldap as unknown as {
  createServer(): FakeServer;
  SearchEntry: new (options: {
    messageId: number;
    objectName: unknown;
    attributes: unknown;
  }) => unknown;
  Attribute: { fromObject(attributes: Record<string, string[]>): unknown };
  parseDN(dn: string): unknown;
};

jest.setTimeout(30_000);

const BASE = 'dc=corp,dc=example';
const GROUPS = `ou=groups,${BASE}`;
const USERS = `ou=users,${BASE}`;
const BIG = `cn=big,${GROUPS}`;
const SMALL = `cn=small,${GROUPS}`;
const BROKEN = `cn=broken,${GROUPS}`;
const MEMBERS = 3200;
/** Active Directory's MaxValRange. */
const RANGE = 1500;

const memberDn = (index: number): string => `cn=u${String(index).padStart(4, '0')},${USERS}`;
const allMembers = Array.from({ length: MEMBERS }, (_, index) => memberDn(index));

/** What the fake server was asked for: each base search's attribute list. */
const requests: string[][] = [];

type Attributes = Record<string, string[]>;

function send(res: FakeResponse, dn: string, attributes: Attributes): void {
  // A SearchEntry of our own: ldapjs' plain-object path drops attributes the client did not name
  // exactly (`member;range=0-1499` when it asked for `member`).
  res.send(
    new ldapjs.SearchEntry({
      messageId: res.messageId,
      objectName: ldapjs.parseDN(dn),
      attributes: ldapjs.Attribute.fromObject(attributes),
    }),
  );
}

/** The `member` values a request for `wanted` (e.g. `member;range=1500-*`) gets, AD-style. */
function memberRange(wanted: string[], values: string[], skip = 0): Attributes {
  const asked = wanted.map((name) => /^member;range=(\d+)-\*$/i.exec(name)).find(Boolean);
  const start = asked ? Number(asked[1]) + skip : 0;
  if (!asked && !wanted.some((name) => name.toLowerCase() === 'member')) return {};
  if (values.length <= RANGE && !asked) return { member: values };
  const end = start + RANGE - 1;
  return end >= values.length - 1
    ? { [`member;range=${start}-*`]: values.slice(start) }
    : { [`member;range=${start}-${end}`]: values.slice(start, end + 1) };
}

function startFakeActiveDirectory(): Promise<FakeServer> {
  const server = ldapjs.createServer();
  server.bind(BASE, (_req, res, next) => {
    res.end();
    next();
  });
  server.search(BASE, (req, res, next) => {
    const dn = req.dn.toString().replace(/\s/g, '');
    const wanted = req.attributes.map(String);
    requests.push(wanted);
    const common = { objectClass: ['top', 'group'], objectGUID: [] as string[] };
    if (dn === BIG.replace(/\s/g, '')) {
      send(res, BIG, { ...common, cn: ['big'], ...memberRange(wanted, allMembers) });
    } else if (dn === SMALL.replace(/\s/g, '')) {
      send(res, SMALL, { ...common, cn: ['small'], member: allMembers.slice(0, 3) });
    } else if (dn === BROKEN.replace(/\s/g, '')) {
      // Answers the second range from the wrong place: a client that trusted it would lose
      // members without noticing.
      const skip = wanted.some((name) => /range=1500-/.test(name)) ? 10 : 0;
      send(res, BROKEN, { ...common, cn: ['broken'], ...memberRange(wanted, allMembers, skip) });
    } else {
      const match = /^cn=u(\d{4}),/.exec(dn);
      if (match) {
        const uid = `u${match[1]}`;
        send(res, memberDn(Number(match[1])), {
          objectClass: ['user'],
          cn: [uid],
          uid: [uid],
          mail: [`${uid}@corp.example`],
        });
      }
    }
    res.end();
    next();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('group members with Active Directory ranged retrieval (fake AD, ldapjs server)', () => {
  let server: FakeServer;
  let directory: DirectoryService;

  beforeAll(async () => {
    server = await startFakeActiveDirectory();
    const { port } = server.address();
    const target: LdapDirectory = {
      tenantId: '1',
      connect: {
        url: `ldap://127.0.0.1:${port}`,
        startTls: false,
        tls: { rejectUnauthorized: true },
        connectTimeoutMs: 3000,
        operationTimeoutMs: 3000,
      },
      serviceBind: { dn: `cn=svc,${BASE}`, password: 'secret' },
      userSearchBase: USERS,
      userSearchFilter: '(sAMAccountName={0})',
      groupSearchBase: GROUPS,
      groupSearchFilter: '(member={0})',
      fieldMapping: { ...DEFAULT_FIELD_MAPPING },
    };
    const configs = {
      findByTenant: () => Promise.resolve({ tenantId: '1' }),
      toDirectory: () => target,
    } as unknown as LdapConfigService;
    directory = new DirectoryService(configs, new LdapAdapter(), {} as LdapAuthService);
  });

  afterAll(() => {
    server?.close();
  });

  beforeEach(() => {
    requests.length = 0;
  });

  it('reads every range and answers the total with the first page', async () => {
    const reply = await directory.groupMembers('1', BIG, 1, 1000);
    expect(reply).toMatchObject({ groupDN: BIG, groupName: 'big', total: MEMBERS, page: 1 });
    expect(reply.members).toHaveLength(1000);
    expect(reply.members[0]).toEqual({
      dn: memberDn(0),
      uid: 'u0000',
      cn: 'u0000',
      mail: 'u0000@corp.example',
    });
    // The group was read three times: the entry, then ranges 1500-* and 3000-*.
    const ranged = requests.flat().filter((name) => /^member;range=/i.test(name));
    expect(ranged.map((name) => name.toLowerCase())).toEqual([
      'member;range=1500-*',
      'member;range=3000-*',
    ]);
  });

  it('pages through all 3,200 members, each exactly once', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page += 1) {
      const reply = await directory.groupMembers('1', BIG, page, 1000);
      expect(reply.total).toBe(MEMBERS);
      seen.push(...reply.members.map((member) => member.dn));
    }
    expect(seen).toHaveLength(MEMBERS);
    expect(seen).toEqual(allMembers);
    const after = await directory.groupMembers('1', BIG, 5, 1000);
    expect(after.members).toEqual([]);
  });

  it('answers a group without ranges as it is', async () => {
    const reply = await directory.groupMembers('1', SMALL, 1, 200);
    expect(reply.total).toBe(3);
    expect(reply.members.map((member) => member.uid)).toEqual(['u0000', 'u0001', 'u0002']);
  });

  it('fails with LDAP_006 when a range does not continue where the last one ended', async () => {
    let caught: unknown;
    try {
      await directory.groupMembers('1', BROKEN, 1, 200);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe(ErrorCode.LdapSearchFailed);
  });
});
