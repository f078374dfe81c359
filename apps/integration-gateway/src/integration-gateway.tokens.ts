/** The app's own validated environment (integration-gateway.config.ts). */
export const INTEGRATION_GATEWAY_CONFIG = Symbol('INTEGRATION_GATEWAY_CONFIG');
