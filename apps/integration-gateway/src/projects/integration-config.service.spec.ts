import { randomBytes } from 'node:crypto';
import { DecryptionError, KeyRing, SecretBox } from '@gatehouse/crypto';
import { integrationCredentialsAad as credentialsAad } from '@gatehouse/persistence';
import type { ConfigRow, IntegrationConfigRepository } from './integration-config.repository';
import { IntegrationConfigService } from './integration-config.service';
import type { ProjectsService } from './projects.service';

const box = new SecretBox(KeyRing.parse(`k1:${randomBytes(32).toString('base64')}`));
/** Only the decryption path is exercised: the other collaborators fail loudly if touched. */
const service = new IntegrationConfigService(
  {} as ProjectsService,
  {} as IntegrationConfigRepository,
  box,
);

function row(projectId: string, sealed: string | null): ConfigRow {
  return { projectId, authCredentialsEnc: sealed, webhookSecretEnc: null } as ConfigRow;
}

describe('IntegrationConfigService credentials at rest', () => {
  const sealed = box.encrypt(JSON.stringify({ token: 't0ken' }), credentialsAad('project-a'));

  it('decrypts the credentials of the row they were sealed for', () => {
    expect(service.credentials(row('project-a', sealed))).toEqual({ token: 't0ken' });
    expect(service.credentials(row('project-a', null))).toEqual({});
  });

  it('refuses a ciphertext copied to another project or tampered with', () => {
    expect(() => service.credentials(row('project-b', sealed))).toThrow(DecryptionError);
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => service.credentials(row('project-a', tampered))).toThrow(DecryptionError);
  });
});
