import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { hashPassword } from '@gatehouse/crypto';
import { ApiKeyRepository } from '../api-keys/api-key.repository';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from '../auth-gateway.config';
import { UserRepository } from '../users/user.repository';

const DEFAULT_TENANT = '1';

/** First-start setup from the environment: the bootstrap admin (created once, never overwritten,
 *  so a later password change through the API sticks) and the internal API keys (stored hashed).
 *  Safe with several replicas starting at once: the unique indexes decide. */
@Injectable()
export class IdentityBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(IdentityBootstrapService.name);

  constructor(
    @Inject(AUTH_GATEWAY_CONFIG) private readonly config: AuthGatewayConfig,
    private readonly users: UserRepository,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
    await this.ensureApiKeys();
  }

  private async ensureAdmin(): Promise<void> {
    const username = this.config.GATEHOUSE_ADMIN_USERNAME;
    const password = this.config.GATEHOUSE_ADMIN_PASSWORD;
    if (!username) return;
    if (!password) {
      this.logger.warn(
        'GATEHOUSE_ADMIN_USERNAME is set without GATEHOUSE_ADMIN_PASSWORD: no admin created',
      );
      return;
    }
    if (await this.users.findCredentials(DEFAULT_TENANT, username)) return;
    try {
      const id = await this.users.createLocal(
        DEFAULT_TENANT,
        username,
        await hashPassword(password),
        {
          firstName: 'Gatehouse',
          lastName: 'Administrator',
        },
      );
      await this.users.grantAdminRole(DEFAULT_TENANT, id, 'superadmin');
      this.logger.log(`bootstrap admin "${username}" created`);
    } catch (error: unknown) {
      if (!(await this.users.findCredentials(DEFAULT_TENANT, username))) throw error;
    }
  }

  private async ensureApiKeys(): Promise<void> {
    const entries = this.config.GATEHOUSE_INTERNAL_API_KEYS.split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries) {
      const separator = entry.indexOf(':');
      const name = separator > 0 ? entry.slice(0, separator) : 'internal';
      const key = separator > 0 ? entry.slice(separator + 1) : entry;
      if (key.length < 16) {
        this.logger.warn(
          `internal API key "${name}" is shorter than 16 characters and was not stored`,
        );
        continue;
      }
      await this.apiKeys.create(DEFAULT_TENANT, name, key);
    }
  }
}
