/** The response envelope of seed 003, used by every management (frontend-facing) route:
 *  `{code, message, data, timestamp, extensions}`; success carries `code: "S"`. */
export const SUCCESS_CODE = 'S';
export const DEFAULT_SUCCESS_MESSAGE = '成功';

export interface ApiEnvelope<T> {
  code: string;
  message: string;
  data: T;
  /** Milliseconds since the epoch, as a string (seed 003: "1763958969885"). */
  timestamp: string;
  extensions: Record<string, unknown>;
}

export interface FieldError {
  field: string;
  message: string;
}

export interface ErrorExtensions extends Record<string, unknown> {
  requestId?: string;
  errors?: FieldError[];
}

export function successEnvelope<T>(
  data: T,
  message: string = DEFAULT_SUCCESS_MESSAGE,
  extensions: Record<string, unknown> = {},
): ApiEnvelope<T> {
  return { code: SUCCESS_CODE, message, data, timestamp: Date.now().toString(), extensions };
}

export function errorEnvelope<T = null>(
  code: string,
  message: string,
  extensions: ErrorExtensions = {},
  data: T = null as T,
): ApiEnvelope<T> {
  return { code, message, data, timestamp: Date.now().toString(), extensions };
}
