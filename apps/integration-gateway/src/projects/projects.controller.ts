import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  CreateProjectRequestDto,
  type DeleteProjectReply,
  DeleteProjectRequestDto,
  type IntegrationConfigView,
  ListUnitsRequestDto,
  ProjectRequestDto,
  ProjectTenantRequestDto,
  type ProjectView,
  RPC_PATTERNS,
  SaveIntegrationConfigRequestDto,
  type TestConnectionView,
  type UnitsPage,
  type WebhookSecretView,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { ConnectionTestService } from '../connection-test/connection-test.service';
import { UnitStatusService } from '../statuses/unit-status.service';
import { IntegrationAdminService } from './integration-admin.service';
import { IntegrationConfigService } from './integration-config.service';
import { ProjectsService } from './projects.service';

/** `integration.*` over Redis-RPC: what the gateway's /api/v1/projects routes call. */
@Controller()
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly configs: IntegrationConfigService,
    private readonly admin: IntegrationAdminService,
    private readonly connectionTest: ConnectionTestService,
    private readonly units: UnitStatusService,
  ) {}

  @MessagePattern(RPC_PATTERNS.integration.listProjects)
  list(@RpcData() request: ProjectTenantRequestDto): Promise<ProjectView[]> {
    return this.projects.list(request.tenantId);
  }

  @MessagePattern(RPC_PATTERNS.integration.createProject)
  create(@RpcData() request: CreateProjectRequestDto): Promise<ProjectView> {
    return this.projects.create(request);
  }

  @MessagePattern(RPC_PATTERNS.integration.getProject)
  get(@RpcData() request: ProjectRequestDto): Promise<ProjectView> {
    return this.projects.get(request.tenantId, request.slug);
  }

  @MessagePattern(RPC_PATTERNS.integration.deleteProject)
  delete(@RpcData() request: DeleteProjectRequestDto): Promise<DeleteProjectReply> {
    return this.admin.deleteProject(request);
  }

  @MessagePattern(RPC_PATTERNS.integration.getConfig)
  getConfig(@RpcData() request: ProjectRequestDto): Promise<IntegrationConfigView> {
    return this.configs.get(request.tenantId, request.slug);
  }

  @MessagePattern(RPC_PATTERNS.integration.saveConfig)
  saveConfig(@RpcData() request: SaveIntegrationConfigRequestDto): Promise<IntegrationConfigView> {
    return this.admin.saveConfig(request);
  }

  @MessagePattern(RPC_PATTERNS.integration.testConnection)
  testConnection(@RpcData() request: ProjectRequestDto): Promise<TestConnectionView> {
    return this.connectionTest.test(request.tenantId, request.slug);
  }

  @MessagePattern(RPC_PATTERNS.integration.listUnits)
  listUnits(@RpcData() request: ListUnitsRequestDto): Promise<UnitsPage> {
    return this.units.list(request);
  }

  @MessagePattern(RPC_PATTERNS.integration.rotateWebhookSecret)
  rotateWebhookSecret(@RpcData() request: ProjectRequestDto): Promise<WebhookSecretView> {
    return this.admin.rotateWebhookSecret(request);
  }
}
