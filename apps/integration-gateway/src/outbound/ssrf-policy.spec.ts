import { parseAllowList, refusalReason, type SsrfPolicy } from './ssrf-policy';

const closed: SsrfPolicy = { allowList: parseAllowList('none'), allowPrivateNetworks: false };

describe('SSRF policy', () => {
  it.each([
    '127.0.0.1',
    '127.0.0.2',
    '::1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '0.0.0.0',
    '100.64.0.1',
  ])('refuses %s by default', (address) => {
    expect(refusalReason(closed, 'client.example', address)).not.toBeNull();
  });

  it('allows public unicast addresses', () => {
    expect(refusalReason(closed, 'client.example', '93.184.216.34')).toBeNull();
    expect(refusalReason(closed, 'client.example', '2606:2800:220:1::1')).toBeNull();
  });

  it('the private-network switch opens loopback and private ranges, never link-local', () => {
    const open: SsrfPolicy = { ...closed, allowPrivateNetworks: true };
    expect(refusalReason(open, 'x', '127.0.0.1')).toBeNull();
    expect(refusalReason(open, 'x', '10.1.2.3')).toBeNull();
    expect(refusalReason(open, 'x', '::ffff:192.168.0.1')).toBeNull();
    expect(refusalReason(open, 'x', '169.254.169.254')).toMatch(/link-local/);
  });

  it('INTEGRATION_ALLOWED_HOSTS opens listed names, addresses and ranges only', () => {
    const policy: SsrfPolicy = {
      allowList: parseAllowList('client.internal, 10.8.0.0/16, 127.0.0.1, 169.254.169.254'),
      allowPrivateNetworks: false,
    };
    expect(refusalReason(policy, 'client.internal', '10.99.0.1')).toBeNull();
    expect(refusalReason(policy, 'other', '10.8.3.4')).toBeNull();
    expect(refusalReason(policy, 'other', '10.9.3.4')).not.toBeNull();
    expect(refusalReason(policy, 'other', '127.0.0.1')).toBeNull();
    expect(refusalReason(policy, 'other', '127.0.0.2')).not.toBeNull();
    expect(refusalReason(policy, 'other', '169.254.169.254')).toBeNull();
  });

  it('refuses a malformed allow-list entry', () => {
    expect(() => parseAllowList('ok.example, not a host!')).toThrow();
  });
});
