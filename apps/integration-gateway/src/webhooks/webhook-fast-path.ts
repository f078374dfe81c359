import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  DomainError,
  ERROR_CODES,
  ErrorCode,
  errorEnvelope,
  successEnvelope,
} from '@gatehouse/contracts';
import { acceptRequestId, MetricsService, REQUEST_ID_HEADER } from '@gatehouse/platform';
import { WebhooksService } from './webhooks.service';

const PREFIX = '/webhooks/';
const ROUTE_LABEL = '/webhooks/:slug';
/** Largest webhook body accepted (a batch of a few thousand unit updates). */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
const logger = new Logger('WebhookFastPath');

/**
 * `POST /webhooks/{slug}` is answered on the HTTP server's own request event, ahead of Express and
 * the Nest pipeline, which cost several times the verification and the write themselves (the
 * issue asks for 2,000 signed events/s). The exact bytes received are what the signature is
 * checked against; bodies over 1 MiB are 413 before anything is verified. Answers use the
 * envelope like every other route; every other request goes to Express untouched.
 */
export function mountWebhookFastPath(app: NestExpressApplication): void {
  const webhooks = app.get(WebhooksService);
  const metrics = app.get(MetricsService);
  const server: Server = app.getHttpServer();
  const express = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url?.startsWith(PREFIX)) {
      receive(webhooks, metrics, req, res);
      return;
    }
    for (const listener of express) listener(req, res);
  });
}

function receive(
  webhooks: WebhooksService,
  metrics: MetricsService,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const started = process.hrtime.bigint();
  const requestId = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
  const finish = (status: number, body: unknown): void => {
    if (res.headersSent) return;
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      [REQUEST_ID_HEADER]: requestId,
    });
    res.end(json);
    metrics.httpDuration.observe(
      { method: 'POST', route: ROUTE_LABEL, status: String(status) },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  };
  const fail = (code: ErrorCode, message?: string): void => {
    finish(
      ERROR_CODES[code].status,
      errorEnvelope(code, message ?? ERROR_CODES[code].message, { requestId }),
    );
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > WEBHOOK_BODY_LIMIT) {
    fail(ErrorCode.PayloadTooLarge);
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > WEBHOOK_BODY_LIMIT) {
      fail(ErrorCode.PayloadTooLarge);
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    if (size > WEBHOOK_BODY_LIMIT) return;
    const headers: Record<string, string> = {};
    for (const name of SIGNATURE_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const slug = decodeSlug((req.url ?? '').slice(PREFIX.length).split('?', 1)[0] ?? '');
    webhooks.receive(slug, Buffer.concat(chunks), headers).then(
      (result) => finish(200, successEnvelope(result)),
      (error: unknown) => {
        if (error instanceof DomainError) {
          fail(error.code, error.message);
          return;
        }
        if (error instanceof SyntaxError) {
          fail(ErrorCode.MalformedRequest);
          return;
        }
        logger.error({ err: error, requestId }, 'webhook failed unexpectedly');
        fail(ErrorCode.InternalError);
      },
    );
  });
}

function decodeSlug(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return '';
  }
}
