import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  CreateProjectBodyDto,
  IntegrationConfigBodyDto,
  type IntegrationConfigView,
  PERMISSIONS,
  type ProjectView,
  successEnvelope,
  type TestConnectionView,
  type UnitsPage,
  UnitsQueryDto,
  type WebhookSecretView,
} from '@gatehouse/contracts';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { ProjectsAdminService } from './projects-admin.service';

/** Projects and their client-API integration (seed 004), admin only, tenant from the token. */
@Controller('api/v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsAdminService) {}

  @Get()
  @RequirePermission(PERMISSIONS.integrationsRead)
  async list(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<ProjectView[]>> {
    return successEnvelope(await this.projects.list(caller));
  }

  @Post()
  @RequirePermission(PERMISSIONS.integrationsWrite)
  async create(
    @Caller() caller: AccessTokenClaims,
    @Body() body: CreateProjectBodyDto,
  ): Promise<ApiEnvelope<ProjectView>> {
    return successEnvelope(await this.projects.create(caller, body));
  }

  @Get(':slug')
  @RequirePermission(PERMISSIONS.integrationsRead)
  async get(
    @Caller() caller: AccessTokenClaims,
    @Param('slug') slug: string,
  ): Promise<ApiEnvelope<ProjectView>> {
    return successEnvelope(await this.projects.get(caller, slug));
  }

  /** Stops its polling and SSE consumer on every replica, then deletes the project with its
   *  config, unit statuses and change log; its webhooks are refused from then on. */
  @Delete(':slug')
  @RequirePermission(PERMISSIONS.integrationsWrite)
  async remove(
    @Caller() caller: AccessTokenClaims,
    @Param('slug') slug: string,
  ): Promise<ApiEnvelope<null>> {
    await this.projects.delete(caller, slug);
    return successEnvelope(null);
  }

  @Get(':slug/integration')
  @RequirePermission(PERMISSIONS.integrationsRead)
  async getConfig(
    @Caller() caller: AccessTokenClaims,
    @Param('slug') slug: string,
  ): Promise<ApiEnvelope<IntegrationConfigView>> {
    return successEnvelope(await this.projects.getConfig(caller, slug));
  }

  @Put(':slug/integration')
  @RequirePermission(PERMISSIONS.integrationsWrite)
  async saveConfig(
    @Caller() caller: AccessTokenClaims,
    @Param('slug') slug: string,
    @Body() body: IntegrationConfigBodyDto,
  ): Promise<ApiEnvelope<IntegrationConfigView>> {
    return successEnvelope(await this.projects.saveConfig(caller, slug, body));
  }

  @Post(':slug/integration/test')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.integrationsWrite)
  async testConnection(
    @Caller() caller: AccessTokenClaims,
    @Param('slug') slug: string,
  ): Promise<ApiEnvelope<TestConnectionView>> {
    return successEnvelope(await this.projects.testConnection(caller, slug));
  }

  @Get(':slug/units')
  @RequirePermission(PERMISSIONS.integrationsRead)
  async units(
    @Caller() caller: AccessTokenClaims,
    @Param('slug') slug: string,
    @Query() query: UnitsQueryDto,
  ): Promise<ApiEnvelope<UnitsPage>> {
    return successEnvelope(await this.projects.units(caller, slug, query));
  }

  /** A new webhook secret for the client to sign with, shown once (like an API key). */
  @Post(':slug/integration/webhook-secret')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.integrationsWrite)
  async rotateWebhookSecret(
    @Caller() caller: AccessTokenClaims,
    @Param('slug') slug: string,
  ): Promise<ApiEnvelope<WebhookSecretView>> {
    return successEnvelope(await this.projects.rotateWebhookSecret(caller, slug));
  }
}
