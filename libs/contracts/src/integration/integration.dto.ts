import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';

/** seed 004 "Integration Config": a project's link to a client REST API. HTTP bodies are the
 *  `*BodyDto` classes (seed field names, snake_case); RPC payloads add the tenant and project. */

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A project slug: lower-case letters, digits and inner hyphens, 1–64 characters. */
export const PROJECT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** A dot path into the client's JSON (`data.units`), or empty for the body itself. */
const JSON_PATH = /^$|^[A-Za-z0-9_$-]{1,64}(?:\.[A-Za-z0-9_$-]{1,64}){0,7}$/;
/** Standard Webhooks secret: `whsec_` and base64 of 24–64 random bytes. */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

export const AUTH_TYPES = ['none', 'bearer', 'api_key', 'basic'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
export const UPDATE_METHODS = ['polling', 'sse', 'webhook'] as const;
export type UpdateMethod = (typeof UPDATE_METHODS)[number];

/** The seven canonical statuses, in the seed's order (the first list holding a value wins). */
export const CANONICAL_STATUSES = [
  'available',
  'reserved',
  'hold',
  'sold',
  'unreleased',
  'unavailable',
  'coming_soon',
] as const;
export type CanonicalStatus = (typeof CANONICAL_STATUSES)[number];
export type StatusMapping = Record<CanonicalStatus, string[]>;

/** seed 004 `StatusMapping` defaults. */
export const DEFAULT_STATUS_MAPPING: Readonly<StatusMapping> = {
  available: ['Available', 'AVAILABLE', 'available', 'Open', 'OPEN'],
  reserved: ['Reserved', 'RESERVED', 'reserved'],
  hold: ['Hold', 'HOLD', 'OnHold', 'ON_HOLD', 'on_hold', 'Pending'],
  sold: ['Sold', 'SOLD', 'sold', 'Purchased', 'PURCHASED'],
  unreleased: ['Unreleased', 'UNRELEASED', 'unreleased', 'Future'],
  unavailable: ['Unavailable', 'UNAVAILABLE', 'unavailable', 'NotForSale'],
  coming_soon: ['ComingSoon', 'COMING_SOON', 'coming_soon', 'Announced'],
};

export const CONFIG_DEFAULTS = {
  auth_type: 'none' as AuthType,
  update_method: 'polling' as UpdateMethod,
  polling_interval_seconds: 30,
  timeout_seconds: 10,
  retry_count: 3,
  api_key_header: 'X-API-Key',
  units_path: '',
  unit_id_field: 'id',
  unit_status_field: 'status',
};

/** `POST /api/v1/projects`. */
export class CreateProjectBodyDto {
  @IsString()
  @Matches(PROJECT_SLUG, {
    message: 'slug must be 1-64 lower-case letters, digits or inner hyphens',
  })
  slug!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

/** seed 004 `AuthCredentials`: sent to the client API, stored encrypted, never answered. */
export interface AuthCredentialsDto {
  token?: string;
  api_key?: string;
  api_key_header?: string;
  username?: string;
  password?: string;
}

/** seed 004 `StatusMapping`: client values per canonical status; a status left out keeps the
 *  seed's default list. */
export type StatusMappingDto = Partial<StatusMapping>;

const CREDENTIAL_LIMITS: Record<keyof AuthCredentialsDto, number> = {
  token: 4096,
  api_key: 4096,
  api_key_header: 128,
  username: 256,
  password: 4096,
};

/** Nested objects are checked by shape functions (this package stays free of reflect-metadata,
 *  which nested class validation needs); the message names the offending key. */
function IsShape(check: (value: unknown) => string | null): PropertyDecorator {
  return ValidateBy({
    name: 'isShape',
    validator: {
      validate: (value: unknown) => check(value) === null,
      defaultMessage: (args) => check(args?.value) ?? '',
    },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function credentialsError(value: unknown): string | null {
  if (!isRecord(value)) return 'auth_credentials must be an object';
  for (const [key, item] of Object.entries(value)) {
    if (!(key in CREDENTIAL_LIMITS)) return `auth_credentials.${key} is not a credential field`;
    if (item === null || item === undefined) continue;
    const limit = CREDENTIAL_LIMITS[key as keyof AuthCredentialsDto];
    if (typeof item !== 'string' || item.length > limit) {
      return `auth_credentials.${key} must be a string of at most ${limit} characters`;
    }
    if (key === 'api_key_header' && !HEADER_NAME.test(item)) {
      return 'auth_credentials.api_key_header must be an HTTP header name';
    }
  }
  return null;
}

export function statusMappingError(value: unknown): string | null {
  if (!isRecord(value)) return 'status_mapping must be an object';
  for (const [key, list] of Object.entries(value)) {
    if (!(CANONICAL_STATUSES as readonly string[]).includes(key)) {
      return `status_mapping.${key} is not one of ${CANONICAL_STATUSES.join(', ')}`;
    }
    if (
      !Array.isArray(list) ||
      list.length > 200 ||
      !list.every((item) => typeof item === 'string' && item.length <= 256)
    ) {
      return `status_mapping.${key} must be a list of at most 200 strings (256 characters each)`;
    }
  }
  return null;
}

/**
 * `PUT /api/v1/projects/{slug}/integration` (seed 004 `IntegrationConfigUpdate`). As in the seed,
 * a field left out (or null) keeps its stored value; `auth_credentials` left out keeps the stored
 * credentials, `{}` clears them, any other object replaces them. `units_path`, `unit_id_field`,
 * `unit_status_field` (where units live in the client's JSON) and the write-only `webhook_secret`
 * are Gatehouse's additions.
 */
export class IntegrationConfigBodyDto {
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(/^https?:\/\/[^\s/?#@]+(?:\/[^\s?#]*)?$/, {
    message: 'api_base_url must be an http(s) URL without credentials, query or fragment',
  })
  api_base_url?: string;

  @IsOptional()
  @IsIn(AUTH_TYPES)
  auth_type?: AuthType;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(/^[^\s#]*$/, { message: 'status_endpoint must be a path without spaces' })
  status_endpoint?: string;

  @IsOptional()
  @IsShape(statusMappingError)
  status_mapping?: StatusMappingDto;

  @IsOptional()
  @IsIn(UPDATE_METHODS)
  update_method?: UpdateMethod;

  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(300)
  polling_interval_seconds?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60)
  timeout_seconds?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  retry_count?: number;

  @IsOptional()
  @IsShape(credentialsError)
  auth_credentials?: AuthCredentialsDto;

  @IsOptional()
  @Matches(JSON_PATH, { message: 'units_path must be a dot path such as data.units, or ""' })
  units_path?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_$-]{1,64}$/, { message: 'unit_id_field must be a JSON key' })
  unit_id_field?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_$-]{1,64}$/, { message: 'unit_status_field must be a JSON key' })
  unit_status_field?: string;

  @IsOptional()
  @Matches(WEBHOOK_SECRET, { message: 'webhook_secret must be whsec_ followed by base64' })
  webhook_secret?: string;
}

/** `GET /api/v1/projects/{slug}/units?status=&page=&size=`. */
export class UnitsQueryDto {
  @IsOptional()
  @IsIn(CANONICAL_STATUSES)
  status?: CanonicalStatus;

  @IsOptional()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'page must be a positive integer' })
  page?: string;

  @IsOptional()
  @Matches(/^(?:[1-9]\d{0,3}|10000)$/, { message: 'size must be an integer from 1 to 10000' })
  size?: string;
}

export class ProjectTenantRequestDto {
  @Matches(TENANT_ID)
  tenantId!: string;
}

export class CreateProjectRequestDto extends CreateProjectBodyDto {
  @Matches(TENANT_ID)
  tenantId!: string;
}

export class ProjectRequestDto {
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  slug!: string;
}

/** Deleting a project: the gateway has already resolved the slug (404 there), so every replica
 *  that receives this call deletes the same row, idempotently, and answers alike. */
export class DeleteProjectRequestDto extends ProjectRequestDto {
  @IsUUID()
  projectId!: string;
}

export class SaveIntegrationConfigRequestDto extends IntegrationConfigBodyDto {
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  slug!: string;
}

export class ListUnitsRequestDto {
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  slug!: string;

  @IsOptional()
  @IsIn(CANONICAL_STATUSES)
  status?: CanonicalStatus;

  @IsOptional()
  @IsInt()
  @Min(1)
  page?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  size?: number;
}

/** A project and the health of its integration (last error of polling or the SSE stream). */
export interface ProjectView {
  id: string;
  slug: string;
  name: string;
  created_at: string;
  updated_at: string;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  consecutive_failures: number;
}

/** seed 004 `IntegrationConfigResponse` (credentials only as `has_credentials`). */
export interface IntegrationConfigView {
  id: string | null;
  project_id: string;
  api_base_url: string | null;
  auth_type: AuthType;
  status_endpoint: string | null;
  status_mapping: StatusMapping | null;
  update_method: UpdateMethod;
  polling_interval_seconds: number;
  timeout_seconds: number;
  retry_count: number;
  units_path: string;
  unit_id_field: string;
  unit_status_field: string;
  has_credentials: boolean;
  has_webhook_secret: boolean;
  created_at: string | null;
  updated_at: string | null;
}

/** seed 004 `TestConnectionResponse`. */
export interface TestConnectionView {
  success: boolean;
  status_code: number | null;
  response_time_ms: number | null;
  error: string | null;
  sample_data: unknown;
}

export type UnitStatusSource = 'polling' | 'sse' | 'webhook';

export interface UnitStatusView {
  unit_id: string;
  status: CanonicalStatus;
  raw_status: string;
  source: UnitStatusSource;
  updated_at: string;
}

export interface UnitsPage {
  items: UnitStatusView[];
  total: number;
  page: number;
  size: number;
}

/** The event emitted on the Redis transport for every batch of changed units. */
export interface UnitStatusChangedEvent {
  tenantId: string;
  projectId: string;
  slug: string;
  source: UnitStatusSource;
  changes: {
    unit_id: string;
    old_status: CanonicalStatus | null;
    status: CanonicalStatus;
    raw_status: string;
    changed_at: string;
  }[];
}

/** `POST /api/v1/projects/{slug}/integration/webhook-secret`: the new secret, shown this once. */
export interface WebhookSecretView {
  webhook_secret: string;
}

/** `deleted` is false when the row was already gone (another replica, or a second call). */
export interface DeleteProjectReply {
  deleted: boolean;
}
