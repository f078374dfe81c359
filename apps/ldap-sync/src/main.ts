import { bootstrapApp, loadPlatformConfig, runMain } from '@gatehouse/platform';
import { loadLdapSyncConfig } from './ldap-sync.config';
import { LdapSyncModule } from './ldap-sync.module';

runMain('ldap-sync', async () => {
  const platform = loadPlatformConfig();
  const own = loadLdapSyncConfig();
  await bootstrapApp(LdapSyncModule.forRoot(platform, own), {
    app: 'ldap-sync',
    port: own.PORT,
    host: own.HTTP_HOST,
    config: platform,
    rpcServer: true,
  });
});
