import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Application } from 'express';
import { PinoLogger } from 'nestjs-pino';
import proxyAddr from 'proxy-addr';
import { DomainError, ERROR_CODES, ErrorCode, successEnvelope } from '@gatehouse/contracts';
import { httpErrorAnswer, MetricsService, requestContext, requestIdFor } from '@gatehouse/platform';
import { type FastRoute, pathOf } from '../fast-path/fast-routes';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../guards/token-extractor';
import { setSecurityHeaders } from '../security/security-headers.middleware';
import { AuthCookies } from './auth-cookies';
import { LoginService } from './login.service';
import { LOGIN_SUCCESS_MESSAGE, loginFields, sessionBody } from './session-body';

export const LOGIN_PATH = '/api/v1/auth/login';
/** Larger bodies go through Express, which applies HTTP_BODY_LIMIT (a login body is tiny). */
export const FAST_LOGIN_MAX_BODY_BYTES = 16 * 1024;

/**
 * POST /api/v1/auth/login answered ahead of Express and the Nest pipeline, which cost about as
 * much CPU as the login's own work (a directory login through the gateway took 4.2 ms of its CPU,
 * 2.3 ms without them). It runs the same LoginService.attempt as AuthController.login and answers
 * the same status, headers, cookies and envelope, under the same request id, access log line and
 * duration metric.
 *
 * It takes only the plain case, judged from the headers before any byte of the body is read; every
 * other request goes to Express untouched and is answered there:
 * - an `Origin` or `Referer` (a browser: CORS and the CSRF check apply),
 * - auth cookies (the CSRF check applies),
 * - a body that is not `application/json` in UTF-8, is encoded (gzip), has no Content-Length or
 *   is larger than FAST_LOGIN_MAX_BODY_BYTES.
 */
export function loginFastRoute(app: NestExpressApplication): FastRoute {
  const logins = app.get(LoginService);
  const cookies = app.get(AuthCookies);
  const metrics = app.get(MetricsService);
  // Express's own compiled `trust proxy` setting: req.ip exactly as the controller sees it.
  const express = app.getHttpAdapter().getInstance() as Application;
  const trust = express.get('trust proxy fn') as Parameters<typeof proxyAddr>[1];
  return {
    takes: fastLoginEligible,
    handle: (req, res) => {
      const started = process.hrtime.bigint();
      const requestId = requestIdFor(req, res);
      setSecurityHeaders(res);
      const address = proxyAddr(req, trust);
      const finish = (status: number, body: unknown, headers: Record<string, string | string[]>) =>
        send(req, res, { status, body, headers, requestId, address, started, metrics });
      readBody(req, (raw) => {
        const parsed = parseJsonObject(raw);
        if (parsed instanceof DomainError) {
          const answer = httpErrorAnswer(parsed, requestId, LOGIN_PATH);
          finish(answer.status, answer.body, {});
          return;
        }
        requestContext.run({ requestId }, () => {
          logins.attempt(loginFields(parsed), address).then(
            (session) =>
              finish(200, successEnvelope(sessionBody(session), LOGIN_SUCCESS_MESSAGE), {
                'Set-Cookie': cookies.headerValues(session.accessToken, session.refreshToken),
              }),
            (error: unknown) => {
              const answer = httpErrorAnswer(error, requestId, LOGIN_PATH);
              finish(
                answer.status,
                answer.body,
                answer.retryAfterSeconds === undefined
                  ? {}
                  : { 'Retry-After': String(answer.retryAfterSeconds) },
              );
            },
          );
        });
      });
    },
  };
}

/** Whether the fast path takes the request (see loginFastRoute); headers only. */
export function fastLoginEligible(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const path = pathOf(req.url);
  if (path !== LOGIN_PATH && path !== `${LOGIN_PATH}/`) return false;
  const { headers } = req;
  if (headers.origin !== undefined || headers.referer !== undefined) return false;
  if (hasAuthCookie(headers.cookie)) return false;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) {
    return false;
  }
  const length = Number(headers['content-length']);
  if (!Number.isInteger(length) || length < 0 || length > FAST_LOGIN_MAX_BODY_BYTES) return false;
  return isUtf8Json(headers['content-type']);
}

function hasAuthCookie(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(';').some((part) => {
    const name = part.slice(0, part.indexOf('=') >>> 0).trim();
    return name === ACCESS_COOKIE || name === REFRESH_COOKIE;
  });
}

/** `application/json`, with no parameter but a UTF-8 charset (what body-parser reads as is). */
function isUtf8Json(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((parameter) => parameter === 'charset=utf-8');
}

function readBody(req: IncomingMessage, done: (raw: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  // A client that goes away mid-body gets no answer; the socket is already gone.
  req.on('error', () => req.destroy());
}

/** body-parser's strict JSON: an object or an array, else the malformed-request 400 Express's
 *  path answers. An empty body is no fields, as body-parser makes it `{}`. */
function parseJsonObject(raw: string): unknown {
  const text = raw.trim();
  if (text === '') return {};
  if (text[0] === '{' || text[0] === '[') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // answered below
    }
  }
  return new DomainError(
    ErrorCode.MalformedRequest,
    ERROR_CODES[ErrorCode.MalformedRequest].message,
  );
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[]>;
  requestId: string;
  address: string;
  started: bigint;
  metrics: MetricsService;
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...answer.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
  const seconds = Number(process.hrtime.bigint() - answer.started) / 1e9;
  answer.metrics.httpDuration.observe(
    { method: 'POST', route: LOGIN_PATH, status: String(answer.status) },
    seconds,
  );
  accessLog(req, answer, Math.round(seconds * 1000));
}

/** The line pino-http writes for requests through Express, at the level it would choose. */
function accessLog(req: IncomingMessage, answer: Answer, responseTime: number): void {
  const logger = PinoLogger.root;
  const level =
    answer.status >= 500 && answer.status !== 503
      ? 'error'
      : answer.status >= 400
        ? 'warn'
        : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      req: { method: req.method, url: req.url, remoteAddress: req.socket.remoteAddress },
      res: { statusCode: answer.status },
      responseTime,
      requestId: answer.requestId,
    },
    'request completed',
  );
}
