import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { refusalReason, type SsrfPolicy } from './ssrf-policy';

/** Raised when every address a host resolves to is refused by the SSRF policy. */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_GATEHOUSE_BLOCKED_ADDRESS';
}

/** Hard cap of a TCP/TLS connect; the request's own deadline is usually shorter. */
const CONNECT_TIMEOUT_MS = 60_000;
/** A status list of 100,000 units is a few MB; anything far larger is refused. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * An undici Agent whose every new connection resolves the host itself, checks each address
 * against the policy and connects to the address it checked (by IP, with the original name kept
 * for TLS SNI and certificate checks), so a name that resolves differently between a check and
 * the connect (DNS rebinding) cannot slip through. The socket's peer address is checked again
 * once connected. Redirects are never followed by the caller (undici `request` does not).
 */
export function guardedAgent(policy: SsrfPolicy): Agent {
  const connect = buildConnector({ timeout: CONNECT_TIMEOUT_MS });
  return new Agent({
    keepAliveTimeout: 4_000,
    maxResponseSize: MAX_RESPONSE_BYTES,
    connect: (options, callback) => {
      const hostname = options.hostname.replace(/^\[|\]$/g, '');
      resolveAll(hostname).then(
        (addresses) => {
          const reasons = addresses.map((address) => refusalReason(policy, hostname, address));
          const index = reasons.findIndex((reason) => reason === null);
          const chosen = addresses[index];
          if (index < 0 || chosen === undefined) {
            callback(new BlockedAddressError(reasons[0] ?? `${hostname} has no address`), null);
            return;
          }
          connect({ ...options, hostname: chosen }, (error, socket) => {
            if (error || !socket) {
              callback(error ?? new Error('connect failed'), null);
              return;
            }
            const peer = socket.remoteAddress;
            const late = peer ? refusalReason(policy, hostname, peer) : 'no peer address';
            if (late !== null) {
              socket.destroy();
              callback(new BlockedAddressError(late), null);
              return;
            }
            callback(null, socket);
          });
        },
        (error: unknown) =>
          callback(error instanceof Error ? error : new Error(String(error)), null),
      );
    },
  });
}

async function resolveAll(hostname: string): Promise<string[]> {
  if (isIP(hostname) !== 0) return [hostname];
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}
