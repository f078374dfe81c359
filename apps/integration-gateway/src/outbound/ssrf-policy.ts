import ipaddr from 'ipaddr.js';

/** Which addresses outbound client-API calls may connect to (RELIABILITY.md "Outbound calls").
 *  Ranges come from ipaddr.js, which also unwraps IPv4-mapped IPv6 (`::ffff:10.0.0.1`). */

export interface AllowList {
  hosts: ReadonlySet<string>;
  ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export interface SsrfPolicy {
  allowList: AllowList;
  /** The operator switch: loopback, private and unique-local addresses are reachable. */
  allowPrivateNetworks: boolean;
}

/** Ranges the private-network switch opens. Link-local (169.254.0.0/16, fe80::/10, the cloud
 *  metadata addresses) stays closed unless listed explicitly. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

export function parseAllowList(raw: string): AllowList {
  const hosts = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return { hosts, ranges };
  for (const entry of trimmed.split(',').map((part) => part.trim().toLowerCase())) {
    if (entry === '') continue;
    if (entry.includes('/')) {
      ranges.push(ipaddr.parseCIDR(entry));
    } else if (ipaddr.isValid(entry.replace(/^\[|\]$/g, ''))) {
      const address = ipaddr.process(entry.replace(/^\[|\]$/g, ''));
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9.-]{1,253}$/.test(entry)) {
      hosts.add(entry.replace(/\.$/, ''));
    } else {
      throw new Error(`not a host, address or CIDR range: ${entry}`);
    }
  }
  return { hosts, ranges };
}

/** Why an address is refused, or null when it may be connected to. `hostname` is the name the
 *  configuration holds (an allow-listed name opens every address it resolves to). */
export function refusalReason(
  policy: SsrfPolicy,
  hostname: string,
  address: string,
): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.process(address);
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (policy.allowList.hosts.has(host)) return null;
  for (const [network, bits] of policy.allowList.ranges) {
    if (network.kind() === parsed.kind() && parsed.match(network, bits)) return null;
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (policy.allowPrivateNetworks && PRIVATE_RANGES.has(range)) return null;
  return `address ${parsed.toString()} is ${describe(range)} and not allowed (INTEGRATION_ALLOWED_HOSTS)`;
}

function describe(range: string): string {
  switch (range) {
    case 'loopback':
      return 'a loopback address';
    case 'linkLocal':
      return 'link-local (cloud metadata range)';
    case 'private':
    case 'uniqueLocal':
    case 'carrierGradeNat':
      return 'a private address';
    default:
      return `in a reserved range (${range})`;
  }
}
