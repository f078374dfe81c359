/** Where units live in a client's JSON: a dot path to a list (or one unit), and the keys of the
 *  unit id and its status. Defaults: a list of `{id, status}` objects. */
export interface ExtractOptions {
  unitsPath: string;
  idField: string;
  statusField: string;
}

export interface RawUnit {
  unitId: string;
  raw: string;
}

export interface Extracted {
  units: RawUnit[];
  /** Items without a usable id or status. */
  skipped: number;
}

/** Keys tried, in order, when no path is configured and the body is an object holding a list. */
const WRAPPER_KEYS = ['units', 'data', 'items', 'results'];
const MAX_FIELD_LENGTH = 256;

/** The units of a status list, a webhook payload or an SSE event. With no `unitsPath`, the body
 *  itself (a list, or one unit), else its `units`/`data`/`items`/`results` (Standard Webhooks put
 *  the event under `data`). Duplicate ids keep the last value. */
export function extractUnits(body: unknown, options: ExtractOptions): Extracted {
  const located = options.unitsPath ? atPath(body, options.unitsPath) : unwrap(body, options, 0);
  const items = Array.isArray(located) ? located : located === undefined ? [] : [located];
  const byId = new Map<string, string>();
  let skipped = 0;
  for (const item of items) {
    const unit = toUnit(item, options);
    if (unit) byId.set(unit.unitId, unit.raw);
    else skipped += 1;
  }
  return { units: [...byId].map(([unitId, raw]) => ({ unitId, raw })), skipped };
}

function unwrap(body: unknown, options: ExtractOptions, depth: number): unknown {
  if (Array.isArray(body) || !isObject(body)) return body;
  if (options.idField in body && options.statusField in body) return body;
  if (depth >= 2) return undefined;
  for (const key of WRAPPER_KEYS) {
    if (key in body) return unwrap(body[key], options, depth + 1);
  }
  return undefined;
}

function atPath(body: unknown, path: string): unknown {
  let current: unknown = body;
  for (const key of path.split('.')) {
    if (!isObject(current) || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

function toUnit(item: unknown, options: ExtractOptions): RawUnit | null {
  if (!isObject(item)) return null;
  const unitId = scalar(item[options.idField]);
  const raw = scalar(item[options.statusField]);
  if (unitId === null || raw === null || unitId === '') return null;
  return { unitId, raw };
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value.length <= MAX_FIELD_LENGTH ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
