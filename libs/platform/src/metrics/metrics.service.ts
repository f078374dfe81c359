import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type RpcSide = 'client' | 'server';
export type RpcOutcome = 'ok' | 'error' | 'timeout' | 'unavailable';

/** One Prometheus registry per process: default process metrics plus the HTTP and RPC duration
 *  histograms every app records. Features add their own metrics through `registry`. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rpcDuration = new Histogram({
    name: 'rpc_duration_seconds',
    help: 'Redis-RPC call duration by pattern, side (client or server) and outcome',
    labelNames: ['pattern', 'side', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeRpc(pattern: string, side: RpcSide, outcome: RpcOutcome, seconds: number): void {
    this.rpcDuration.observe({ pattern, side, outcome }, seconds);
  }
}
