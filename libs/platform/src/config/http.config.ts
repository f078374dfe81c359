import { env } from './env-schema';

/** PORT and HTTP_HOST, with the app's own default port. */
export function httpEnv(defaultPort: number) {
  return {
    PORT: env.int('HTTP port of this app', defaultPort, 1, 65535),
    HTTP_HOST: env.string('Address the HTTP server binds to', '0.0.0.0'),
  };
}
