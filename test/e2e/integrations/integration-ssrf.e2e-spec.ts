import type { TestConnectionView } from '@gatehouse/contracts';
import { login, managementCaller } from '@gatehouse/testing/auth-client';
import { ClientApiStub } from '@gatehouse/testing/client-api-stub';
import { Suite } from '@gatehouse/testing/suite';

/** The SSRF guard without the operator switch: loopback, private, link-local/metadata and
 *  IPv4-mapped addresses are refused at connect time, whatever name leads there; only what
 *  INTEGRATION_ALLOWED_HOSTS lists (here 127.0.0.3 alone) is reachable. */
describe('SSRF guard of outbound client-API calls', () => {
  const ADMIN_PASSWORD = 'integration-ssrf-admin-password';
  let stub: ClientApiStub;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;

  const call = managementCaller(
    () => gateway,
    '/api/v1/projects',
    () => adminToken,
    20000,
  );

  beforeAll(async () => {
    stub = new ClientApiStub('127.0.0.3');
    await stub.start();
    stub.setStatus('U1', 'Available');
    suite = await Suite.start({
      label: 'integration-ssrf',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        INTEGRATION_ALLOWED_HOSTS: '127.0.0.3',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    expect((await call('POST', '', { slug: 'guarded', name: 'Guarded' })).status).toBe(201);
  });

  afterAll(async () => {
    await suite?.stop();
    await stub?.stop();
  });

  const testUrl = async (apiBaseUrl: string): Promise<TestConnectionView> => {
    const saved = await call('PUT', '/guarded/integration', {
      api_base_url: apiBaseUrl,
      status_endpoint: '/units',
      timeout_seconds: 3,
    });
    expect(saved.status).toBe(200);
    const answer = await call<TestConnectionView>('POST', '/guarded/integration/test');
    expect(answer.status).toBe(200);
    return answer.body.data;
  };

  it('reaches an allow-listed address', async () => {
    const result = await testUrl(stub.url);
    expect(result).toMatchObject({ success: true, status_code: 200 });
  });

  it.each([
    ['a loopback address not on the list', (port: number) => `http://127.0.0.1:${port}`],
    ['127.1 (shorthand of loopback)', (port: number) => `http://127.1:${port}`],
    ['IPv6 loopback', (port: number) => `http://[::1]:${port}`],
    ['IPv4-mapped IPv6 of a private address', () => 'http://[::ffff:10.0.0.1]'],
    ['a private address', () => 'http://10.0.0.1'],
    ['192.168/16', () => 'http://192.168.0.1'],
    ['the cloud metadata address', () => 'http://169.254.169.254'],
    ['a name that resolves to loopback', (port: number) => `http://localhost:${port}`],
  ])('refuses %s before connecting', async (_what, url) => {
    const before = stub.requests.length;
    const result = await testUrl(url(stub.port));
    expect(result.success).toBe(false);
    expect(result.error).toMatch(/^Blocked: address .* not allowed/);
    expect(result.status_code).toBeNull();
    expect(stub.requests.length).toBe(before);
  });
});
