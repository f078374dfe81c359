import { EventSource, type FetchLike, type FetchLikeResponse } from 'eventsource';
import { type Agent, fetch } from 'undici';
import { classify } from '../outbound/client-api';

export interface SseConsumerOptions {
  url: string;
  agent: Agent;
  /** Auth headers of the project (never logged). */
  headers: Record<string, string>;
  /** A stream silent this long (no bytes, heartbeats included) is reconnected. */
  idleMs: number;
  initialLastEventId: string | null;
  onEvent(data: string, id: string): Promise<void>;
  onOpen(): void;
  onError(message: string): void;
}

const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 60_000;

/**
 * One project's long-lived consumer of the client's event stream. The `eventsource` library
 * speaks the protocol (parsing, `id`, `data`); this class owns the connection's life: every
 * error, end of stream or stall closes it, and it reconnects after an exponential, jittered
 * delay with `Last-Event-ID` set to the last event it processed. Events are processed one at a
 * time in order; redirects are not followed; the connection goes through the SSRF-guarded agent.
 */
export class SseConsumer {
  private source: EventSource | null = null;
  private attempt = 0;
  private lastEventId: string | null;
  private lastActivity = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Bumped per connection: events queued from a connection that failed are dropped. */
  private generation = 0;

  constructor(private readonly options: SseConsumerOptions) {
    this.lastEventId = options.initialLastEventId;
  }

  start(): void {
    this.connect();
    this.watchdog = setInterval(
      () => {
        if (this.source && Date.now() - this.lastActivity > this.options.idleMs) {
          this.fail(`no data for ${this.options.idleMs} ms`);
        }
      },
      Math.max(250, Math.floor(this.options.idleMs / 4)),
    );
    this.watchdog.unref();
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.watchdog) clearInterval(this.watchdog);
  }

  private connect(): void {
    if (this.stopped) return;
    this.lastActivity = Date.now();
    this.generation += 1;
    const generation = this.generation;
    const source = new EventSource(this.options.url, { fetch: this.fetcher() });
    this.source = source;
    source.onopen = () => {
      this.attempt = 0;
      this.options.onOpen();
    };
    source.onmessage = (event) => {
      const id = event.lastEventId;
      const data = String(event.data);
      this.chain = this.chain
        .then(async () => {
          if (this.stopped || generation !== this.generation) return;
          await this.options.onEvent(data, id);
          if (id) this.lastEventId = id;
        })
        .catch((error: unknown) => {
          // Not stored: reconnect from the last stored event so it is delivered again.
          if (generation !== this.generation) return;
          this.fail(`event not stored: ${error instanceof Error ? error.message : String(error)}`);
        });
    };
    source.onerror = (event) => {
      if (source !== this.source) return;
      const reason = event.code ? `HTTP ${event.code}` : (event.message ?? 'stream ended');
      this.fail(reason);
    };
  }

  private fail(reason: string): void {
    this.source?.close();
    this.source = null;
    if (this.stopped) return;
    this.options.onError(reason);
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    // Reconnect only after the events already received are processed, so Last-Event-ID is right.
    this.reconnectTimer = setTimeout(() => {
      void this.chain.finally(() => this.connect());
    }, delay);
  }

  /** undici's fetch through the guarded agent, with auth and Last-Event-ID, counting bytes as
   *  activity for the stall watchdog. */
  private fetcher(): FetchLike {
    return async (url, init) => {
      const headers: Record<string, string> = { ...init.headers, ...this.options.headers };
      delete headers['Last-Event-ID'];
      if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
      try {
        const response = await fetch(url, {
          headers,
          signal: init.signal as AbortSignal,
          redirect: 'manual',
          dispatcher: this.options.agent,
        });
        const body = response.body;
        const touch = (): void => {
          this.lastActivity = Date.now();
        };
        const wrapped: FetchLikeResponse = {
          url: response.url,
          status: response.status,
          redirected: response.redirected,
          headers: response.headers,
          body: body
            ? {
                getReader: () => {
                  const reader = body.getReader();
                  return {
                    read: async () => {
                      const result = await reader.read();
                      touch();
                      return result;
                    },
                    cancel: () => reader.cancel(),
                  };
                },
              }
            : null,
        };
        return wrapped;
      } catch (error: unknown) {
        throw new Error(classify(error, String(url)).message);
      }
    };
  }
}
