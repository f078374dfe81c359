import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import { createTestDatabase, type TestDatabase } from '@gatehouse/testing/test-database';
import { bindPasswordAad } from './entities/ldap-config.entity';
import { reencryptSecrets } from './reencrypt-secrets';
import { integrationCredentialsAad, integrationWebhookSecretAad } from './secret-columns';

const key = (): string => randomBytes(32).toString('base64');
const OLD = `old:${key()}`;
const NEW = `new:${key()}`;
const RETIRED = `retired:${key()}`;

const oldBox = new SecretBox(KeyRing.parse(OLD));
const retiredBox = new SecretBox(KeyRing.parse(RETIRED));
/** After rotation: the new key first (it seals), the old one still there (it opens). */
const rotatedBox = new SecretBox(KeyRing.parse(`${NEW},${OLD}`));

const LDAP_PASSWORD = 'bind-password-7c1d';
const CREDENTIALS = JSON.stringify({ token: 'client-token-9f2e' });
const WEBHOOK_SECRET = `whsec_${key()}`;

interface ConfigSnapshot {
  id: string;
  project_id: string;
  auth_credentials_enc: string | null;
  webhook_secret_enc: string | null;
  updated_at: Date;
}

/** `npm run reencrypt`'s work on a real database: rows sealed under an old key are re-sealed
 *  under the new one and still open to the same plaintext; a second run changes nothing; a row
 *  that cannot be opened is reported and left as it is. */
describe('reencryptSecrets on a real PostgreSQL', () => {
  let database: TestDatabase;
  let client: Client;
  const projects: Record<string, string> = {};
  const configs: Record<string, string> = {};

  const snapshot = async (): Promise<{
    ldap: Record<string, unknown>[];
    configs: ConfigSnapshot[];
  }> => ({
    ldap: (
      await client.query<Record<string, unknown>>(
        'SELECT id, tenant_id, bind_password_enc, modified_date FROM ldap_configs ORDER BY id',
      )
    ).rows,
    configs: (
      await client.query<ConfigSnapshot>(
        `SELECT id, project_id, auth_credentials_enc, webhook_secret_enc, updated_at
         FROM integration_configs ORDER BY id`,
      )
    ).rows,
  });
  const config = async (slug: string): Promise<ConfigSnapshot> => {
    const found = (await snapshot()).configs.find((row) => row.project_id === projects[slug]);
    if (!found) throw new Error(`no config for ${slug}`);
    return found;
  };

  beforeAll(async () => {
    database = await createTestDatabase('reencrypt');
    client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`INSERT INTO tenants (id, slug, name) VALUES ('2', 'second', 'Second')`);
    const ldap = `INSERT INTO ldap_configs (id, tenant_id, server, base_dn, user_search_base,
      bind_password_enc) VALUES ($1, $2, 'ldap://127.0.0.1:389', 'dc=x', 'ou=p,dc=x', $3)`;
    const sealedForTenant1 = oldBox.encrypt(LDAP_PASSWORD, bindPasswordAad('1'));
    await client.query(ldap, ['ldap-1', '1', sealedForTenant1]);
    // Copied from tenant 1's row: its associated data names tenant 1, so it must not open here.
    await client.query(ldap, ['ldap-2', '2', sealedForTenant1]);

    for (const slug of ['old', 'retired', 'current']) {
      const project = await client.query<{ id: string }>(
        `INSERT INTO integration_projects (tenant_id, slug, name) VALUES ('1', $1, $1) RETURNING id`,
        [slug],
      );
      projects[slug] = project.rows[0]?.id ?? '';
    }
    const insertConfig = async (
      slug: string,
      credentials: string | null,
      webhook: string | null,
    ): Promise<void> => {
      const row = await client.query<{ id: string }>(
        `INSERT INTO integration_configs (project_id, tenant_id, auth_credentials_enc,
           webhook_secret_enc, updated_at)
         VALUES ($1, '1', $2, $3, now() - interval '1 day') RETURNING id`,
        [projects[slug], credentials, webhook],
      );
      configs[slug] = row.rows[0]?.id ?? '';
    };
    const id = (slug: string): string => projects[slug] ?? '';
    await insertConfig(
      'old',
      oldBox.encrypt(CREDENTIALS, integrationCredentialsAad(id('old'))),
      oldBox.encrypt(WEBHOOK_SECRET, integrationWebhookSecretAad(id('old'))),
    );
    await insertConfig(
      'retired',
      retiredBox.encrypt(CREDENTIALS, integrationCredentialsAad(id('retired'))),
      oldBox.encrypt(WEBHOOK_SECRET, integrationWebhookSecretAad(id('retired'))),
    );
    await insertConfig(
      'current',
      rotatedBox.encrypt(CREDENTIALS, integrationCredentialsAad(id('current'))),
      null,
    );
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('re-seals old-key secrets under the new key, reports what it cannot open and leaves it', async () => {
    const before = await snapshot();
    const report = await reencryptSecrets(database.url, rotatedBox);

    expect(report.counts).toEqual({
      'ldap_configs.bind_password_enc': { resealed: 1, current: 0, failed: 1 },
      'integration_configs.auth_credentials_enc': { resealed: 1, current: 1, failed: 1 },
      'integration_configs.webhook_secret_enc': { resealed: 2, current: 0, failed: 0 },
    });
    expect(report.failures).toEqual([
      {
        table: 'ldap_configs',
        column: 'bind_password_enc',
        id: 'ldap-2',
        reason: expect.stringMatching(/^authentication_failed: /) as unknown,
      },
      {
        table: 'integration_configs',
        column: 'auth_credentials_enc',
        id: configs['retired'],
        reason: expect.stringMatching(/^unknown_key: .*"retired"/) as unknown,
      },
    ]);
    const reported = JSON.stringify(report);
    for (const secret of [LDAP_PASSWORD, 'client-token-9f2e', WEBHOOK_SECRET]) {
      expect(reported).not.toContain(secret);
    }

    const after = await snapshot();
    const ldap1 = after.ldap.find((row) => row['id'] === 'ldap-1');
    const sealed = String(ldap1?.['bind_password_enc']);
    expect(sealed.startsWith('v1.new.')).toBe(true);
    expect(rotatedBox.decrypt(sealed, bindPasswordAad('1'))).toBe(LDAP_PASSWORD);
    expect(rotatedBox.needsReencrypt(sealed)).toBe(false);
    // Failed secrets are byte for byte what they were; nothing else in those rows moved either.
    expect(after.ldap.find((row) => row['id'] === 'ldap-2')).toEqual(
      before.ldap.find((row) => row['id'] === 'ldap-2'),
    );
    const retiredBefore = before.configs.find((row) => row.id === configs['retired']);
    const retired = await config('retired');
    expect(retired.auth_credentials_enc).toBe(retiredBefore?.auth_credentials_enc);

    const old = await config('old');
    for (const value of [
      old.auth_credentials_enc,
      old.webhook_secret_enc,
      retired.webhook_secret_enc,
    ]) {
      expect(value?.startsWith('v1.new.')).toBe(true);
    }
    expect(
      rotatedBox.decrypt(old.auth_credentials_enc ?? '', integrationCredentialsAad(old.project_id)),
    ).toBe(CREDENTIALS);
    expect(
      rotatedBox.decrypt(old.webhook_secret_enc ?? '', integrationWebhookSecretAad(old.project_id)),
    ).toBe(WEBHOOK_SECRET);
    expect(
      rotatedBox.decrypt(
        retired.webhook_secret_enc ?? '',
        integrationWebhookSecretAad(retired.project_id),
      ),
    ).toBe(WEBHOOK_SECRET);
    // A ring without the old key opens the re-sealed rows: the old key can now be retired.
    const newOnly = new SecretBox(KeyRing.parse(NEW));
    expect(newOnly.decrypt(sealed, bindPasswordAad('1'))).toBe(LDAP_PASSWORD);
    // The plaintext did not change, so the configs' updated_at did not either.
    expect(after.configs.map((row) => row.updated_at)).toEqual(
      before.configs.map((row) => row.updated_at),
    );
    const current = await config('current');
    expect(current.auth_credentials_enc).toBe(
      before.configs.find((row) => row.id === configs['current'])?.auth_credentials_enc,
    );
  });

  it('changes nothing on a second run', async () => {
    const before = await snapshot();
    const report = await reencryptSecrets(database.url, rotatedBox);
    expect(report.counts).toEqual({
      'ldap_configs.bind_password_enc': { resealed: 0, current: 1, failed: 1 },
      'integration_configs.auth_credentials_enc': { resealed: 0, current: 2, failed: 1 },
      'integration_configs.webhook_secret_enc': { resealed: 0, current: 2, failed: 0 },
    });
    expect(report.failures.map((failure) => failure.id)).toEqual(['ldap-2', configs['retired']]);
    expect(await snapshot()).toEqual(before);
  });
});
