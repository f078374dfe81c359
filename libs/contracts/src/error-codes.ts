/** Every error code Gatehouse answers with, and the HTTP status each maps to. LDAP_001..LDAP_006
 *  are seed 003's; the rest are the project's own. Transports map codes, never messages. */
export enum ErrorCode {
  LdapConnectionFailed = 'LDAP_001',
  LdapAuthenticationFailed = 'LDAP_002',
  LdapConfigInvalid = 'LDAP_003',
  LdapUserNotFound = 'LDAP_004',
  LdapSyncInProgress = 'LDAP_005',
  LdapSearchFailed = 'LDAP_006',
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedRequest = 'MALFORMED_REQUEST',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  Conflict = 'CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  PeerUnavailable = 'PEER_UNAVAILABLE',
  PeerTimeout = 'PEER_TIMEOUT',
  NotReady = 'NOT_READY',
  InternalError = 'INTERNAL_ERROR',
}

export interface ErrorCodeInfo {
  status: number;
  message: string;
}

export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeInfo>> = {
  [ErrorCode.LdapConnectionFailed]: { status: 503, message: 'LDAP服务器连接失败' },
  [ErrorCode.LdapAuthenticationFailed]: { status: 401, message: 'LDAP认证失败' },
  [ErrorCode.LdapConfigInvalid]: { status: 400, message: 'LDAP配置错误' },
  [ErrorCode.LdapUserNotFound]: { status: 404, message: '用户不存在于LDAP' },
  [ErrorCode.LdapSyncInProgress]: { status: 409, message: '同步任务进行中' },
  [ErrorCode.LdapSearchFailed]: { status: 502, message: 'LDAP搜索失败' },
  [ErrorCode.ValidationFailed]: { status: 400, message: 'Request validation failed' },
  [ErrorCode.MalformedRequest]: { status: 400, message: 'Request body is not valid JSON' },
  [ErrorCode.Unauthenticated]: { status: 401, message: 'Authentication required' },
  [ErrorCode.Forbidden]: { status: 403, message: 'Insufficient permissions' },
  [ErrorCode.NotFound]: { status: 404, message: 'Resource not found' },
  [ErrorCode.RouteNotFound]: { status: 404, message: 'Route not found' },
  [ErrorCode.MethodNotAllowed]: { status: 405, message: 'Method not allowed' },
  [ErrorCode.Conflict]: { status: 409, message: 'Conflict' },
  [ErrorCode.PayloadTooLarge]: { status: 413, message: 'Request body too large' },
  [ErrorCode.TooManyRequests]: { status: 429, message: 'Too many requests' },
  [ErrorCode.PeerUnavailable]: {
    status: 503,
    message: 'A required internal service is unavailable',
  },
  [ErrorCode.PeerTimeout]: {
    status: 503,
    message: 'A required internal service did not answer in time',
  },
  [ErrorCode.NotReady]: { status: 503, message: 'Service not ready' },
  [ErrorCode.InternalError]: { status: 500, message: 'Internal server error' },
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
