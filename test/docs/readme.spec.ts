import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_ENV } from '@gatehouse/platform/config';
import { AUTH_GATEWAY_ENV } from '../../apps/auth-gateway/src/auth-gateway.config';
import { INTEGRATION_GATEWAY_ENV } from '../../apps/integration-gateway/src/integration-gateway.config';
import { LDAP_SYNC_ENV } from '../../apps/ldap-sync/src/ldap-sync.config';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('opens with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm run demo\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
    expect(readme.indexOf('npm run demo')).toBeLessThan(readme.indexOf('## '));
  });

  it('documents every environment variable an app reads, in the configuration table', () => {
    const names = Object.keys({
      ...PLATFORM_ENV,
      ...AUTH_GATEWAY_ENV,
      ...LDAP_SYNC_ENV,
      ...INTEGRATION_GATEWAY_ENV,
    });
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
    const documented = rows.map((row) => /^\| `([A-Z0-9_]+)`/.exec(row)?.[1]);
    for (const name of names) expect(documented).toContain(name);
  });
});
