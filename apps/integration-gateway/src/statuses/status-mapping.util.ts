import {
  CANONICAL_STATUSES,
  type CanonicalStatus,
  DEFAULT_STATUS_MAPPING,
  type StatusMapping,
} from '@gatehouse/contracts';

/** seed 004's mapping: each canonical status's configured list, or the seed's default list when
 *  that status is not configured. */
export function effectiveMapping(configured: Partial<StatusMapping> | null): StatusMapping {
  const mapping = {} as StatusMapping;
  for (const status of CANONICAL_STATUSES) {
    mapping[status] = [...(configured?.[status] ?? DEFAULT_STATUS_MAPPING[status])];
  }
  return mapping;
}

export interface MappedStatus {
  status: CanonicalStatus;
  /** False when the raw value is in no list (the seed answers `unavailable`). */
  known: boolean;
}

/** `map_status` of seed 004 as one hash lookup: the lists are searched in the seed's order, so a
 *  value listed under two statuses maps to the first; a value in no list is `unavailable`. */
export class StatusMapper {
  private readonly lookup = new Map<string, CanonicalStatus>();

  constructor(mapping: StatusMapping) {
    for (const status of CANONICAL_STATUSES) {
      for (const value of mapping[status]) {
        if (!this.lookup.has(value)) this.lookup.set(value, status);
      }
    }
  }

  map(raw: string): MappedStatus {
    const status = this.lookup.get(raw);
    return status === undefined ? { status: 'unavailable', known: false } : { status, known: true };
  }
}
