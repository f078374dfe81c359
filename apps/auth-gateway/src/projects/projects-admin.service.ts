import { Injectable } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type CreateProjectBodyDto,
  type IntegrationConfigBodyDto,
  type IntegrationConfigView,
  type ProjectView,
  RPC_PATTERNS,
  type TestConnectionView,
  type UnitsPage,
  type UnitsQueryDto,
  type WebhookSecretView,
} from '@gatehouse/contracts';
import type { RpcClient } from '@gatehouse/platform';
import { InjectIntegrationGateway } from '../peers/peer-clients';

/** A connection test waits for the client API up to `timeout_seconds` (at most 60 s). */
const CONNECTION_TEST_TIMEOUT_MS = 65_000;
/** Deleting a project cascades through its change log, which may hold many rows. */
const DELETE_TIMEOUT_MS = 30_000;

/** seed 004's management API, served by integration-gateway over Redis-RPC for the caller's
 *  tenant. */
@Injectable()
export class ProjectsAdminService {
  constructor(@InjectIntegrationGateway() private readonly integration: RpcClient) {}

  list(caller: AccessTokenClaims): Promise<ProjectView[]> {
    return this.integration.send(RPC_PATTERNS.integration.listProjects, {
      tenantId: caller.tenant_id,
    });
  }

  create(caller: AccessTokenClaims, body: CreateProjectBodyDto): Promise<ProjectView> {
    return this.integration.send(RPC_PATTERNS.integration.createProject, {
      ...body,
      tenantId: caller.tenant_id,
    });
  }

  get(caller: AccessTokenClaims, slug: string): Promise<ProjectView> {
    return this.integration.send(RPC_PATTERNS.integration.getProject, {
      tenantId: caller.tenant_id,
      slug,
    });
  }

  /** 404 for an unknown slug comes from resolving it; the delete itself names the row, so every
   *  integration-gateway replica receiving it acts on the same project and answers alike. */
  async delete(caller: AccessTokenClaims, slug: string): Promise<void> {
    const project = await this.get(caller, slug);
    await this.integration.send(
      RPC_PATTERNS.integration.deleteProject,
      { tenantId: caller.tenant_id, slug: project.slug, projectId: project.id },
      { timeoutMs: DELETE_TIMEOUT_MS },
    );
  }

  getConfig(caller: AccessTokenClaims, slug: string): Promise<IntegrationConfigView> {
    return this.integration.send(RPC_PATTERNS.integration.getConfig, {
      tenantId: caller.tenant_id,
      slug,
    });
  }

  saveConfig(
    caller: AccessTokenClaims,
    slug: string,
    body: IntegrationConfigBodyDto,
  ): Promise<IntegrationConfigView> {
    return this.integration.send(RPC_PATTERNS.integration.saveConfig, {
      ...body,
      tenantId: caller.tenant_id,
      slug,
    });
  }

  testConnection(caller: AccessTokenClaims, slug: string): Promise<TestConnectionView> {
    return this.integration.send(
      RPC_PATTERNS.integration.testConnection,
      { tenantId: caller.tenant_id, slug },
      { timeoutMs: CONNECTION_TEST_TIMEOUT_MS },
    );
  }

  units(caller: AccessTokenClaims, slug: string, query: UnitsQueryDto): Promise<UnitsPage> {
    return this.integration.send(RPC_PATTERNS.integration.listUnits, {
      tenantId: caller.tenant_id,
      slug,
      ...(query.status ? { status: query.status } : {}),
      ...(query.page ? { page: Number(query.page) } : {}),
      ...(query.size ? { size: Number(query.size) } : {}),
    });
  }

  rotateWebhookSecret(caller: AccessTokenClaims, slug: string): Promise<WebhookSecretView> {
    return this.integration.send(RPC_PATTERNS.integration.rotateWebhookSecret, {
      tenantId: caller.tenant_id,
      slug,
    });
  }
}
