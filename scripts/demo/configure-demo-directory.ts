/** `npm run demo` helper: points tenant 1 at the demo slapd so the demo users can log in. The
 *  bind password is encrypted with GATEHOUSE_SECRET_KEYS, as the LDAP module stores it. */
import { Client } from 'pg';
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import { bindPasswordAad } from '@gatehouse/persistence';

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gatehouse';
  const ldapUrl = process.env.DEMO_LDAP_URL ?? 'ldap://127.0.0.1:3389';
  const keys = process.env.GATEHOUSE_SECRET_KEYS;
  if (!keys) throw new Error('GATEHOUSE_SECRET_KEYS is required');
  const box = new SecretBox(KeyRing.parse(keys));
  const tenantId = '1';
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO ldap_configs (id, tenant_id, is_enabled, server, base_dn, bind_dn, bind_password_enc,
         user_search_base, user_search_filter, group_search_base, group_search_filter)
       VALUES ('LDAP_CONFIG_001', $1, true, $2, 'dc=example,dc=com',
         'cn=gatehouse-sync,ou=services,dc=example,dc=com', $3, 'ou=users,dc=example,dc=com', '(uid={0})',
         'ou=groups,dc=example,dc=com', '(|(member={0})(uniqueMember={0}))')
       ON CONFLICT (tenant_id) DO UPDATE SET server = EXCLUDED.server, bind_dn = EXCLUDED.bind_dn,
         bind_password_enc = EXCLUDED.bind_password_enc, is_enabled = true, modified_date = now()`,
      [tenantId, ldapUrl, box.encrypt('demo-password', bindPasswordAad(tenantId))],
    );
    console.log(`demo: tenant ${tenantId} logs in against ${ldapUrl}`);
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(
    `demo: could not configure the demo directory: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
