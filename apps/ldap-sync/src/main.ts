import { bootstrapApp, loadPlatformConfig, runMain } from '@gatehouse/platform';
import { loadLdapSyncConfig, refuseOversubscribedPool } from './ldap-sync.config';
import { LdapSyncModule } from './ldap-sync.module';

runMain('ldap-sync', async () => {
  const platform = loadPlatformConfig();
  const own = loadLdapSyncConfig();
  refuseOversubscribedPool(own, platform.DATABASE_POOL_SIZE);
  await bootstrapApp(LdapSyncModule.forRoot(platform, own), {
    app: 'ldap-sync',
    port: own.PORT,
    host: own.HTTP_HOST,
    config: platform,
    rpcServer: true,
  });
});
