/** The masking rules live in `@gatehouse/platform` because ldap-sync writes audit rows too. */
export { MASK, maskSecrets } from '@gatehouse/platform';
