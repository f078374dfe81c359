import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClientRedis } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import {
  DomainError,
  ErrorCode,
  isErrorCode,
  isRpcErrorPayload,
  type RpcContract,
  type RpcPattern,
  type RpcRequest,
} from '@gatehouse/contracts';
import { acceptRequestId, currentRequestId } from '../logging/request-context';
import type { MetricsService } from '../metrics/metrics.service';
import { redisTransportOptions } from '../redis/redis-options';

export interface RpcCallOptions {
  timeoutMs?: number;
}

/** A typed Redis-RPC client for one peer app. Every call has a deadline; a peer that does not
 *  answer, or a Redis that is down, becomes a 503 DomainError naming the peer, never a hang. */
export class RpcClient implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly transport: ClientRedis;

  constructor(
    readonly peer: string,
    redisUrl: string,
    private readonly defaultTimeoutMs: number,
    private readonly metrics: MetricsService,
  ) {
    this.logger = new Logger(`RpcClient:${peer}`);
    this.transport = new ClientRedis(redisTransportOptions(redisUrl));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.transport.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }

  async send<P extends RpcPattern>(
    pattern: P,
    data: RpcContract[P]['request'],
    options: RpcCallOptions = {},
  ): Promise<RpcContract[P]['reply']> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const request: RpcRequest<RpcContract[P]['request']> = {
      meta: {
        requestId: currentRequestId() ?? acceptRequestId(undefined),
        deadline: Date.now() + timeoutMs,
      },
      data,
    };
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const reply = await firstValueFrom(
        this.transport
          .send<RpcContract[P]['reply'], RpcRequest<RpcContract[P]['request']>>(pattern, request)
          .pipe(timeout(timeoutMs)),
      );
      this.metrics.observeRpc(pattern, 'client', 'ok', seconds());
      return reply;
    } catch (error: unknown) {
      const mapped = this.mapError(pattern, error, timeoutMs);
      const outcome =
        mapped.code === ErrorCode.PeerTimeout
          ? 'timeout'
          : mapped.code === ErrorCode.PeerUnavailable
            ? 'unavailable'
            : 'error';
      this.metrics.observeRpc(pattern, 'client', outcome, seconds());
      throw mapped;
    }
  }

  private mapError(pattern: string, error: unknown, timeoutMs: number): DomainError {
    if (error instanceof TimeoutError) {
      return new DomainError(
        ErrorCode.PeerTimeout,
        `${this.peer} did not answer ${pattern} within ${timeoutMs} ms`,
        [],
        { peer: this.peer },
      );
    }
    if (isRpcErrorPayload(error) && isErrorCode(error.code)) {
      return new DomainError(error.code, error.message, error.fields ?? []);
    }
    this.logger.warn(`${pattern} to ${this.peer} failed: ${describe(error)}`);
    return new DomainError(
      ErrorCode.PeerUnavailable,
      `${this.peer} is unavailable (${pattern})`,
      [],
      { peer: this.peer },
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return 'unknown error';
  }
}
