/** Associated data of the secrets integration-gateway seals into `integration_configs`: each
 *  ciphertext is bound to its project's row, so a copy in another row cannot decrypt. Here, beside
 *  `bindPasswordAad`, because the app that writes them and `npm run reencrypt` must agree. */
export function integrationCredentialsAad(projectId: string): string {
  return `integration_configs:${projectId}:auth_credentials`;
}

export function integrationWebhookSecretAad(projectId: string): string {
  return `integration_configs:${projectId}:webhook_secret`;
}
