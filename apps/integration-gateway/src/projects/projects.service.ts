import { Injectable } from '@nestjs/common';
import {
  type CreateProjectRequestDto,
  DomainError,
  ErrorCode,
  PROJECT_SLUG,
  type ProjectView,
} from '@gatehouse/contracts';
import { type ProjectRow, ProjectsRepository } from './projects.repository';

/** Projects by slug, per tenant (the `{slug}` of every seed 004 path). */
@Injectable()
export class ProjectsService {
  constructor(private readonly projects: ProjectsRepository) {}

  async list(tenantId: string): Promise<ProjectView[]> {
    return (await this.projects.list(tenantId)).map(toProjectView);
  }

  async create(request: CreateProjectRequestDto): Promise<ProjectView> {
    const created = await this.projects.create(request.tenantId, request.slug, request.name.trim());
    if (!created) {
      throw new DomainError(ErrorCode.Conflict, `Project ${request.slug} already exists`, [
        { field: 'slug', message: 'slug is already used by another project' },
      ]);
    }
    return toProjectView(created);
  }

  async get(tenantId: string, slug: string): Promise<ProjectView> {
    return toProjectView(await this.require(tenantId, slug));
  }

  /** The tenant's project, or 404 (a malformed slug cannot exist, so it is a 404 too). */
  async require(tenantId: string, slug: string): Promise<ProjectRow> {
    const project = PROJECT_SLUG.test(slug) ? await this.projects.findBySlug(tenantId, slug) : null;
    if (!project) throw new DomainError(ErrorCode.NotFound, 'Project not found');
    return project;
  }
}

export function toProjectView(row: ProjectRow): ProjectView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    last_success_at: row.lastSuccessAt?.toISOString() ?? null,
    last_error: row.lastError,
    last_error_at: row.lastErrorAt?.toISOString() ?? null,
    consecutive_failures: row.consecutiveFailures,
  };
}
