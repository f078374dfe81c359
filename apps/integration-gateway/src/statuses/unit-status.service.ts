import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import {
  type ListUnitsRequestDto,
  type UnitsPage,
  type UnitStatusSource,
} from '@gatehouse/contracts';
import { MetricsService } from '@gatehouse/platform';
import type { ConfigRow } from '../projects/integration-config.repository';
import type { ProjectRow } from '../projects/projects.repository';
import { ProjectsService } from '../projects/projects.service';
import { StatusEventsPublisher } from './status-events.publisher';
import { effectiveMapping, StatusMapper } from './status-mapping.util';
import { extractUnits } from './unit-extract.util';
import { UnitStatusBatcher } from './unit-status.batcher';
import { type UnitStatusInput, UnitStatusRepository } from './unit-status.repository';

export interface IngestResult {
  received: number;
  changed: number;
  skipped: number;
  unknown: number;
}

/** Unknown values remembered per project for the once-per-value log line (bounded). */
const MAX_REMEMBERED_UNKNOWN = 1000;

/**
 * Turns a client's JSON (a poll's list, a webhook, an SSE event) into stored unit statuses: finds
 * the units, maps each raw status to a canonical one (seed 004 `map_status`), writes what
 * changed, and emits the changes. An unknown raw value is `unavailable`, counted per unit in
 * `integration_unknown_status_total` and logged once per value.
 */
@Injectable()
export class UnitStatusService {
  private readonly logger = new Logger(UnitStatusService.name);
  private readonly unknownSeen = new Map<string, Set<string>>();
  private readonly mappers = new Map<string, { key: string; mapper: StatusMapper }>();
  private readonly unknownCounter: Counter<'source'>;
  private readonly changedCounter: Counter<'source'>;

  constructor(
    private readonly projects: ProjectsService,
    private readonly units: UnitStatusRepository,
    private readonly batcher: UnitStatusBatcher,
    private readonly events: StatusEventsPublisher,
    metrics: MetricsService,
  ) {
    this.unknownCounter = new Counter({
      name: 'integration_unknown_status_total',
      help: 'Units whose raw status is in no mapping list (stored as unavailable), by source',
      labelNames: ['source'] as const,
      registers: [metrics.registry],
    });
    this.changedCounter = new Counter({
      name: 'integration_unit_status_changes_total',
      help: 'Unit status changes stored, by source',
      labelNames: ['source'] as const,
      registers: [metrics.registry],
    });
  }

  async ingest(
    project: ProjectRow,
    config: ConfigRow,
    body: unknown,
    source: UnitStatusSource,
  ): Promise<IngestResult> {
    const extracted = extractUnits(body, {
      unitsPath: config.unitsPath,
      idField: config.unitIdField,
      statusField: config.unitStatusField,
    });
    const mapper = this.mapperFor(config);
    const inputs: UnitStatusInput[] = [];
    let unknown = 0;
    for (const unit of extracted.units) {
      const mapped = mapper.map(unit.raw);
      if (!mapped.known) {
        unknown += 1;
        this.noteUnknown(project, unit.raw);
      }
      inputs.push({ unitId: unit.unitId, status: mapped.status, raw: unit.raw });
    }
    if (unknown > 0) this.unknownCounter.inc({ source }, unknown);
    const changes = await this.batcher.write(project.tenantId, project.id, inputs, source);
    if (changes.length > 0) {
      this.changedCounter.inc({ source }, changes.length);
      await this.events.publish({
        tenantId: project.tenantId,
        projectId: project.id,
        slug: project.slug,
        source,
        changes: changes.map((change) => ({
          unit_id: change.unitId,
          old_status: change.oldStatus,
          status: change.status,
          raw_status: change.raw,
          changed_at: change.changedAt.toISOString(),
        })),
      });
    }
    return {
      received: extracted.units.length,
      changed: changes.length,
      skipped: extracted.skipped,
      unknown,
    };
  }

  async list(request: ListUnitsRequestDto): Promise<UnitsPage> {
    const project = await this.projects.require(request.tenantId, request.slug);
    const page = request.page ?? 1;
    const size = request.size ?? 1000;
    const { rows, total } = await this.units.list(
      request.tenantId,
      project.id,
      request.status,
      page,
      size,
    );
    return {
      items: rows.map((row) => ({
        unit_id: row.unitId,
        status: row.status,
        raw_status: row.raw,
        source: row.source,
        updated_at: row.updatedAt.toISOString(),
      })),
      total,
      page,
      size,
    };
  }

  /** One compiled lookup per project, rebuilt when its mapping changes. */
  private mapperFor(config: ConfigRow): StatusMapper {
    const key = JSON.stringify(config.statusMapping);
    const cached = this.mappers.get(config.projectId);
    if (cached?.key === key) return cached.mapper;
    const mapper = new StatusMapper(effectiveMapping(config.statusMapping));
    this.mappers.set(config.projectId, { key, mapper });
    return mapper;
  }

  private noteUnknown(project: ProjectRow, raw: string): void {
    let seen = this.unknownSeen.get(project.id);
    if (!seen) {
      seen = new Set();
      this.unknownSeen.set(project.id, seen);
    }
    if (seen.has(raw) || seen.size >= MAX_REMEMBERED_UNKNOWN) return;
    seen.add(raw);
    this.logger.warn(
      `project ${project.slug}: unknown status value ${JSON.stringify(raw)} stored as unavailable`,
    );
  }
}
