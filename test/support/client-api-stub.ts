import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stub received (headers lower-cased, as node gives them). */
export interface StubRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

export interface StubUnit {
  id: string;
  status: string;
}

/** An open SSE stream of the stub, for tests to push events into or drop. */
export interface StubStream {
  lastEventId: string | undefined;
  closed: boolean;
  send(id: string, data: unknown): void;
  drop(): void;
}

/**
 * A client REST API on a loopback address for end-to-end tests of integrations:
 * - `GET /units` the current unit list (`setStatus` changes it), `GET /wrapped` the same under
 *   `{data: {rows}}` with `code`/`state` keys;
 * - `/slow` answers after `slowMs`, `/error` is 500, `/text` is not JSON, `/flaky` fails its
 *   first `flakyFailures` calls, `/redirect` sends a 302 to `redirectTo`;
 * - `/stream` is an SSE stream: `streams` holds every connection with its Last-Event-ID.
 * Every request is recorded in `requests`.
 */
export class ClientApiStub {
  readonly requests: StubRequest[] = [];
  readonly streams: StubStream[] = [];
  readonly units = new Map<string, string>();
  slowMs = 3000;
  flakyFailures = 0;
  redirectTo = 'http://169.254.169.254/latest/meta-data/';
  failing = false;
  private server?: Server;

  /** `host`: any loopback address (Linux answers on all of 127.0.0.0/8). */
  constructor(readonly host = '127.0.0.1') {}

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  setStatus(id: string, status: string): void {
    this.units.set(id, status);
  }

  list(): StubUnit[] {
    return [...this.units].map(([id, status]) => ({ id, status }));
  }

  countOf(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      this.requests.push({ path, headers: req.headers });
      this.route(path, res, req.headers);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, this.host, resolve));
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) stream.drop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private route(path: string, res: ServerResponse, headers: IncomingHttpHeaders): void {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (path) {
      case '/units':
        if (this.failing) return json(500, { error: 'down' });
        return json(200, this.list());
      case '/wrapped':
        return json(200, {
          data: { rows: this.list().map((unit) => ({ code: unit.id, state: unit.status })) },
        });
      case '/slow':
        setTimeout(() => {
          if (!res.destroyed) json(200, this.list());
        }, this.slowMs).unref();
        return;
      case '/error':
        return json(500, { error: 'boom' });
      case '/text':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>not json</html>');
        return;
      case '/flaky':
        if (this.flakyFailures > 0) {
          this.flakyFailures -= 1;
          return json(503, { error: 'try later' });
        }
        return json(200, this.list());
      case '/redirect':
        res.writeHead(302, { location: this.redirectTo });
        res.end();
        return;
      case '/stream':
        return this.openStream(res, headers);
      default:
        return json(404, { error: 'not found' });
    }
  }

  private openStream(res: ServerResponse, headers: IncomingHttpHeaders): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(': open\n\n');
    const header = headers['last-event-id'];
    const stream: StubStream = {
      lastEventId: typeof header === 'string' ? header : undefined,
      closed: false,
      send: (id, data) => {
        res.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      drop: () => {
        res.socket?.destroy();
      },
    };
    res.on('close', () => {
      stream.closed = true;
    });
    this.streams.push(stream);
  }

  openStreams(): StubStream[] {
    return this.streams.filter((stream) => !stream.closed);
  }
}
