import { ServerRedis } from '@nestjs/microservices';
import type { Redis } from 'ioredis';

/** How long a claimed request id is remembered: longer than any caller waits for an answer. */
const CLAIM_TTL_MS = 120_000;
const CLAIM_PREFIX = 'gh:rpc:claim:';

/**
 * Nest's Redis RPC server, except that a request on one of `once` patterns is handled by exactly
 * one replica. The transport is pub/sub, so every replica subscribed to a pattern receives each
 * request; for these patterns the replicas race for the request's id (`SET NX` in Redis) and the
 * losers neither handle nor answer it. Other patterns (read-only queries) are handled as Nest
 * handles them: every replica answers and the caller takes the first answer.
 */
export class ClaimingServerRedis extends ServerRedis {
  constructor(
    options: ConstructorParameters<typeof ServerRedis>[0],
    private readonly once: ReadonlySet<string>,
  ) {
    super(options);
  }

  override async handleMessage(
    channel: string,
    buffer: string,
    pub: Redis,
    pattern: string,
  ): Promise<unknown> {
    if (this.once.has(channel)) {
      const id = requestIdOf(buffer);
      if (id !== undefined) {
        const claimed = await pub.set(`${CLAIM_PREFIX}${id}`, '1', 'PX', CLAIM_TTL_MS, 'NX');
        if (claimed !== 'OK') return undefined;
      }
    }
    return super.handleMessage(channel, buffer, pub, pattern);
  }
}

/** The transport's own id of a request (events carry none and are never claimed). */
function requestIdOf(buffer: string): string | undefined {
  try {
    const packet: unknown = JSON.parse(buffer);
    if (typeof packet === 'object' && packet !== null && 'id' in packet) {
      const { id } = packet;
      return typeof id === 'string' && id.length <= 128 ? id : undefined;
    }
  } catch {
    // Not JSON: Nest's own handling answers it.
  }
  return undefined;
}
