import { Injectable } from '@nestjs/common';
import type { UnitStatusSource } from '@gatehouse/contracts';
import {
  type UnitChange,
  type UnitStatusInput,
  UnitStatusRepository,
} from './unit-status.repository';

interface Pending {
  units: UnitStatusInput[];
  resolve(changes: UnitChange[]): void;
  reject(error: unknown): void;
}

interface Lane {
  tenantId: string;
  projectId: string;
  source: UnitStatusSource;
  queue: Pending[];
  flushing: boolean;
}

/** Most units written by one statement of a merged batch. */
const MAX_BATCH_UNITS = 5000;

/**
 * Group commit for small writes (webhooks, SSE events): writes of one project and source that
 * arrive while its previous statement runs are merged into the next statement, so a burst of
 * single-unit webhooks costs one transaction (and one WAL flush) per batch instead of one per
 * request. A unit appearing twice goes into a later statement, so every change is logged in
 * order. Each caller gets the changes of its own units, after they are committed.
 */
@Injectable()
export class UnitStatusBatcher {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly units: UnitStatusRepository) {}

  write(
    tenantId: string,
    projectId: string,
    units: UnitStatusInput[],
    source: UnitStatusSource,
  ): Promise<UnitChange[]> {
    if (units.length >= MAX_BATCH_UNITS)
      return this.units.apply(tenantId, projectId, units, source);
    const key = `${projectId}:${source}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tenantId, projectId, source, queue: [], flushing: false };
      this.lanes.set(key, lane);
    }
    const target = lane;
    return new Promise<UnitChange[]>((resolve, reject) => {
      target.queue.push({ units, resolve, reject });
      if (!target.flushing) {
        target.flushing = true;
        setImmediate(() => void this.flush(key, target));
      }
    });
  }

  private async flush(key: string, lane: Lane): Promise<void> {
    while (lane.queue.length > 0) {
      const batch = this.takeBatch(lane);
      try {
        const changes = await this.units.apply(
          lane.tenantId,
          lane.projectId,
          batch.flatMap((pending) => pending.units),
          lane.source,
        );
        const byUnit = new Map(changes.map((change) => [change.unitId, change]));
        for (const pending of batch) {
          pending.resolve(pending.units.flatMap((unit) => byUnit.get(unit.unitId) ?? []));
        }
      } catch (error: unknown) {
        for (const pending of batch) pending.reject(error);
      }
    }
    lane.flushing = false;
    if (lane.queue.length === 0) this.lanes.delete(key);
  }

  /** Callers from the head of the queue whose units are distinct, up to MAX_BATCH_UNITS. */
  private takeBatch(lane: Lane): Pending[] {
    const seen = new Set<string>();
    const batch: Pending[] = [];
    let size = 0;
    while (lane.queue.length > 0) {
      const next = lane.queue[0];
      if (!next) break;
      if (size + next.units.length > MAX_BATCH_UNITS && batch.length > 0) break;
      if (next.units.some((unit) => seen.has(unit.unitId))) break;
      for (const unit of next.units) seen.add(unit.unitId);
      size += next.units.length;
      batch.push(next);
      lane.queue.shift();
    }
    return batch;
  }
}
