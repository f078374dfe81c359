/**
 * The only file that imports `ldapjs` (ARCHITECTURE.md: upstream is archived). It implements
 * `LdapConnection` over one ldapjs client per connection, with:
 * - a bound on everything: ldapjs' own `connectTimeout`/`timeout` plus our timer as a backstop,
 *   which destroys the client when it fires (ldapjs leaves a queued request pending forever
 *   when its socket goes away at the wrong moment);
 * - an `error` listener on every client for its whole life, so ECONNREFUSED/ECONNRESET after a
 *   failure or a close can never become an unhandled 'error' event that kills the process;
 * - filters built from our RFC 4515 parser (ldap-filter.ts), never from ldapjs' string parser;
 * - errors mapped to `LdapAdapterError` kinds.
 * Replacing ldapjs means rewriting this file against the same `LdapConnection` interface.
 */
import { Injectable } from '@nestjs/common';
import * as ldap from 'ldapjs';
import { isIP, type Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { addAttributeValues, decodeAttributeValues } from './ldap-attributes';
import {
  LdapBerError,
  LdapMessageReader,
  type RawAttributes,
  type RawLdapMessage,
  readPagedResultsValue,
} from './ldap-ber';
import {
  DEFAULT_LDAP_TIMEOUT_MS,
  type LdapConnectOptions,
  type LdapConnection,
  type LdapEntry,
  type LdapPagedSearchOptions,
  type LdapSearchOptions,
} from './ldap-connection';
import { formatDn } from './ldap-escape';
import { type LdapFilterNode, LdapFilterSyntaxError, parseLdapFilter } from './ldap-filter';
import { LdapAdapterError, LdapErrorKind } from './ldap.exception';

/** How long close() waits for the unbind to be written before destroying the socket anyway. */
const CLOSE_GRACE_MS = 1000;
/** Our backstop fires this long after ldapjs' own timer should have, so its error wins. */
const BACKSTOP_GRACE_MS = 250;
const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';
const LDAP_SIZE_LIMIT_EXCEEDED = 4;

/** ldapjs exports these at runtime; @types/ldapjs does not declare them. */
const { PagedResultsControl, SearchRequest } = ldap as unknown as {
  PagedResultsControl: new (options: { value: { size: number; cookie: Buffer } }) => object;
  SearchRequest: new (options: {
    messageId: number;
    baseObject: string;
    scope: string;
    filter: ldap.Filter;
    attributes: string[];
    sizeLimit: number;
    timeLimit: number;
    controls: object[];
  }) => { toBer(): { buffer: Buffer } };
};
/** Message ids of the searches read by our own BER reader: far above ldapjs' counter (which
 *  starts at 1 per client), so the two never meet on one connection. */
const RAW_MESSAGE_ID_BASE = 0x70000000;
const RAW_MESSAGE_ID_SPAN = 0x0fffffff;

type Phase = 'connect' | 'starttls' | 'bind' | 'search' | 'close' | 'write';

@Injectable()
export class LdapAdapter {
  /** Opens a connection (and upgrades it with StartTLS when asked); rejects with an
   *  LdapAdapterError within the connect timeout (plus the operation timeout for StartTLS). */
  async connect(options: LdapConnectOptions): Promise<LdapConnection> {
    const url = parseLdapUrl(options.url);
    const target = `${url.protocol}//${url.host}`;
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS;
    const operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS;
    const tlsOptions = buildTlsOptions(url.hostname, options);
    let client: ldap.Client;
    try {
      client = ldap.createClient({
        url: options.url,
        connectTimeout: connectTimeoutMs,
        timeout: operationTimeoutMs,
        reconnect: false,
        ...(url.protocol === 'ldaps:' ? { tlsOptions } : {}),
      });
    } catch (error: unknown) {
      const message = `invalid LDAP URL "${options.url}"`;
      throw new LdapAdapterError(LdapErrorKind.Other, message, undefined, { cause: error });
    }
    const connection = new LdapjsConnection(client, target, operationTimeoutMs);
    try {
      await connection.waitForConnect(connectTimeoutMs);
      if (options.startTls && url.protocol === 'ldap:') await connection.startTls(tlsOptions);
      return connection;
    } catch (error: unknown) {
      await connection.close();
      throw error;
    }
  }

  /** Adds an entry (seed 000's create_user on a writable directory) on a connection this adapter
   *  opened and the caller bound. Values are plain strings; the DN must come from escapeDnValue. */
  addEntry(
    connection: LdapConnection,
    dn: string,
    attributes: Record<string, string[]>,
  ): Promise<void> {
    return ldapjsConnectionOf(connection).add(dn, attributes);
  }

  /** Replaces the given attributes of an entry; an empty list removes the attribute. */
  replaceAttributes(
    connection: LdapConnection,
    dn: string,
    attributes: Record<string, string[]>,
  ): Promise<void> {
    return ldapjsConnectionOf(connection).replace(dn, attributes);
  }
}

function ldapjsConnectionOf(connection: LdapConnection): LdapjsConnection {
  if (!(connection instanceof LdapjsConnection)) {
    throw new LdapAdapterError(LdapErrorKind.Other, 'not a connection of this adapter');
  }
  return connection;
}

function parseLdapUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LdapAdapterError(LdapErrorKind.Other, `invalid LDAP URL "${raw}"`);
  }
  if ((url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || url.hostname === '') {
    throw new LdapAdapterError(
      LdapErrorKind.Other,
      `invalid LDAP URL "${raw}": expected ldap://host[:port] or ldaps://host[:port]`,
    );
  }
  return url;
}

function buildTlsOptions(hostname: string, options: LdapConnectOptions): TlsConnectionOptions {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    // SNI must not carry an IP address (RFC 6066); the certificate is still checked against it.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(options.tls.ca ? { ca: options.tls.ca } : {}),
    rejectUnauthorized: options.tls.rejectUnauthorized,
    minVersion: 'TLSv1.2',
  };
}

interface SearchOutcome {
  entries: LdapEntry[];
  /** The server stopped at a size limit (result 4) after these entries. */
  truncated: boolean;
  /** The paged-results cookie of the answer; undefined when the server sent no paging control. */
  cookie: Buffer | undefined;
}

class LdapjsConnection implements LdapConnection {
  /** Set once the client is unusable (timed out, socket gone, closed); later calls fail fast. */
  private broken: LdapAdapterError | undefined;
  private closed = false;
  /** Present while searches read by our BER reader are running. */
  private router: RawRouter | undefined;

  constructor(
    private readonly client: ldap.Client,
    private readonly target: string,
    private readonly timeoutMs: number,
  ) {
    // Attached for the client's whole life: ldapjs emits 'error' for socket failures at any time,
    // including after we gave up on it, and an 'error' event without a listener crashes Node.
    client.on('error', (error: unknown) => {
      this.broken ??= classify(error, target, 'search', timeoutMs);
    });
    client.on('close', () => {
      this.broken ??= new LdapAdapterError(
        LdapErrorKind.Unreachable,
        `connection to LDAP server ${target} was closed`,
      );
    });
  }

  waitForConnect(connectTimeoutMs: number): Promise<void> {
    return this.bounded('connect', connectTimeoutMs, (resolve, reject) => {
      const fail = (error: unknown): void =>
        reject(classify(error, this.target, 'connect', connectTimeoutMs));
      this.client.once('connect', () => resolve());
      // connectError carries the first, most precise error; the others follow it or replace it.
      for (const event of ['connectError', 'connectRefused', 'connectTimeout', 'setupError']) {
        this.client.once(event, fail);
      }
      this.client.once('error', fail);
    });
  }

  startTls(tlsOptions: TlsConnectionOptions): Promise<void> {
    return this.bounded('starttls', this.timeoutMs, (resolve, reject) => {
      this.client.starttls(tlsOptions, [], (error: unknown) => {
        if (error) reject(classify(error, this.target, 'starttls', this.timeoutMs));
        else resolve();
      });
    });
  }

  bind(dn: string, password: string): Promise<void> {
    if (password === '') {
      return Promise.reject(
        new LdapAdapterError(
          LdapErrorKind.InvalidCredentials,
          'empty password refused before binding (it would be an unauthenticated bind)',
        ),
      );
    }
    return this.operation('bind', (resolve, reject) => {
      this.client.bind(dn, password, (error: unknown) => {
        if (error) reject(classify(error, this.target, 'bind', this.timeoutMs));
        else resolve();
      });
    });
  }

  async search(base: string, options: LdapSearchOptions): Promise<LdapEntry[]> {
    if (options.paged) {
      const entries: LdapEntry[] = [];
      for await (const page of this.searchPages(base, { ...options, ...options.paged })) {
        entries.push(...page);
        if (options.sizeLimit !== undefined && entries.length >= options.sizeLimit) {
          return entries.slice(0, options.sizeLimit);
        }
      }
      return entries;
    }
    const limit = options.sizeLimit ?? 0;
    // Read by our BER reader when the socket can be reached: a login's search costs less CPU.
    const socket = rawSocketOf(this.client);
    const outcome = socket
      ? await this.rawSearchOnce(socket, base, options, [], limit)
      : await this.searchOnce(base, options, limit, []);
    // Result 4 before the caller's own limit is reached: the server's limit cut the answer short.
    if (outcome.truncated && (limit === 0 || outcome.entries.length < limit)) {
      throw truncatedError(this.target, outcome.entries.length);
    }
    return outcome.entries;
  }

  async *searchPages(base: string, options: LdapPagedSearchOptions): AsyncGenerator<LdapEntry[]> {
    if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
      throw new LdapAdapterError(LdapErrorKind.Other, 'pageSize must be a positive integer');
    }
    // The next page is asked for as soon as a page is complete, before the caller gets it, so
    // the server sends it while the caller works (at most two pages are held at a time).
    let next: Promise<SearchOutcome> = this.pageOnce(base, options, Buffer.alloc(0));
    for (let page = 1; ; page += 1) {
      const outcome: SearchOutcome = await next;
      if (outcome.truncated) throw truncatedError(this.target, outcome.entries.length);
      if (outcome.cookie === undefined && page > 1) {
        throw new LdapAdapterError(
          LdapErrorKind.Other,
          `LDAP server ${this.target} stopped paging after page ${page - 1}; result incomplete`,
        );
      }
      // No control on the first page: the server ignored paging and answered everything
      // successfully (a server that hit a limit would have said so with result 4).
      if (outcome.cookie === undefined || outcome.cookie.length === 0) {
        yield outcome.entries;
        return;
      }
      next = this.pageOnce(base, options, outcome.cookie);
      // It may fail while the caller holds this page (the connection drops) or after the caller
      // stopped reading: awaited at the top of the loop when there is one; this only keeps the
      // failure from being an unhandled rejection meanwhile.
      next.catch(() => undefined);
      yield outcome.entries;
    }
  }

  /** One page: read by our BER reader when the socket can be reached, else through ldapjs. */
  private pageOnce(
    base: string,
    options: LdapPagedSearchOptions,
    cookie: Buffer,
  ): Promise<SearchOutcome> {
    const control = new PagedResultsControl({ value: { size: options.pageSize, cookie } });
    const socket = rawSocketOf(this.client);
    return socket
      ? this.rawSearchOnce(socket, base, options, [control], 0)
      : this.searchOnce(base, options, 0, [control]);
  }

  /**
   * A search whose answers bypass ldapjs' parser: the request is encoded by ldapjs and written to
   * its socket; while it runs, the socket's data goes through `RawRouter`, which reads our
   * messages and hands any other message on to ldapjs unchanged.
   */
  private rawSearchOnce(
    socket: Socket,
    base: string,
    options: Omit<LdapSearchOptions, 'sizeLimit' | 'paged'>,
    controls: object[],
    sizeLimit: number,
  ): Promise<SearchOutcome> {
    const filter = toLdapjsFilter(parseFilter(options.filter));
    return this.operation('search', (resolve, reject) => {
      const router = (this.router ??= new RawRouter(socket, () => {
        this.router = undefined;
      }));
      const messageId = router.nextMessageId();
      const request = new SearchRequest({
        messageId,
        baseObject: base,
        scope: options.scope,
        filter,
        attributes: requestedAttributes(options.attributes),
        sizeLimit,
        timeLimit: Math.max(1, Math.ceil(this.timeoutMs / 1000)),
        controls,
      });
      const bytes = request.toBer().buffer;
      const entries: LdapEntry[] = [];
      router.register(messageId, (message) => {
        if (message instanceof Error) {
          reject(
            message instanceof LdapAdapterError
              ? message
              : classify(message, this.target, 'search', this.timeoutMs),
          );
          return true;
        }
        switch (message.kind) {
          case 'entry':
            entries.push(rawEntry(message.dn, message.attributes));
            return false;
          case 'reference':
          case 'other':
            return false;
          case 'done':
            if (message.resultCode === 0) {
              resolve({ entries, truncated: false, cookie: rawPagedCookie(message.controls) });
            } else if (message.resultCode === LDAP_SIZE_LIMIT_EXCEEDED) {
              resolve({ entries, truncated: true, cookie: undefined });
            } else {
              reject(
                classify(
                  {
                    name: 'LdapResultError',
                    code: message.resultCode,
                    message: message.diagnosticMessage || `result ${message.resultCode}`,
                  },
                  this.target,
                  'search',
                  this.timeoutMs,
                ),
              );
            }
            return true;
        }
      });
      socket.write(bytes);
    });
  }

  async readRootDse(): Promise<LdapEntry> {
    const [entry] = await this.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['*', '+'],
    });
    if (!entry) {
      throw new LdapAdapterError(LdapErrorKind.Other, `LDAP server ${this.target} has no root DSE`);
    }
    return entry;
  }

  get usable(): boolean {
    return !this.closed && this.broken === undefined && this.client.connected;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.connected) {
      await this.bounded<void>('close', CLOSE_GRACE_MS, (resolve) => {
        this.client.unbind(() => resolve(undefined));
      }).catch(() => undefined);
    }
    this.client.destroy();
    this.broken ??= new LdapAdapterError(
      LdapErrorKind.Other,
      `connection to LDAP server ${this.target} is closed`,
    );
  }

  private searchOnce(
    base: string,
    options: Omit<LdapSearchOptions, 'sizeLimit' | 'paged'>,
    sizeLimit: number,
    controls: object[],
  ): Promise<SearchOutcome> {
    const filter = toLdapjsFilter(parseFilter(options.filter));
    return this.operation('search', (resolve, reject) => {
      const entries: LdapEntry[] = [];
      this.client.search(
        base,
        {
          scope: options.scope,
          filter,
          attributes: requestedAttributes(options.attributes),
          sizeLimit,
          // Seconds, for the server's side; our own timer bounds the whole operation.
          timeLimit: Math.max(1, Math.ceil(this.timeoutMs / 1000)),
        },
        controls,
        (error: unknown, response: ldap.SearchCallbackResponse) => {
          if (error) {
            reject(classify(error, this.target, 'search', this.timeoutMs));
            return;
          }
          response.on('searchEntry', (entry: ldap.SearchEntry) => entries.push(toEntry(entry)));
          response.on('error', (failure: unknown) => {
            if (resultCodeOf(failure) === LDAP_SIZE_LIMIT_EXCEEDED) {
              resolve({ entries, truncated: true, cookie: undefined });
            } else {
              reject(classify(failure, this.target, 'search', this.timeoutMs));
            }
          });
          response.on('end', (done: unknown) => {
            resolve({ entries, truncated: false, cookie: pagedCookie(done) });
          });
        },
      );
    });
  }

  /** An operation on an open connection, bounded by the operation timeout. */
  private operation<T>(
    phase: Phase,
    start: (resolve: (value: T) => void, reject: (error: LdapAdapterError) => void) => void,
  ): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    if (!this.client.connected) {
      return Promise.reject(
        new LdapAdapterError(
          LdapErrorKind.Unreachable,
          `connection to LDAP server ${this.target} is not open`,
        ),
      );
    }
    return this.bounded(phase, this.timeoutMs, start);
  }

  /**
   * Runs `start` with a backstop timer: if neither ldapjs nor the server settles it in time, it
   * rejects and the client is destroyed (its state is unknown, so it is not reused).
   */
  private bounded<T>(
    phase: Phase,
    ms: number,
    start: (resolve: (value: T) => void, reject: (error: LdapAdapterError) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        const error = timeoutError(this.target, phase, ms);
        this.broken ??= error;
        this.client.destroy();
        reject(error);
      }, ms + BACKSTOP_GRACE_MS);
      const settle =
        <A>(fn: (arg: A) => void) =>
        (arg: A): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fn(arg);
        };
      const fail = (error: LdapAdapterError): void => {
        if (leavesConnectionUnknown(error)) {
          // A request the server never answered may still be answered later: do not reuse.
          this.broken ??= error;
          this.client.destroy();
        }
        reject(error);
      };
      try {
        start(settle(resolve), settle(fail));
      } catch (error: unknown) {
        // ldapjs validates some arguments (DNs, attribute lists) synchronously.
        settle(reject)(classify(error, this.target, phase, ms));
      }
    });
  }

  add(dn: string, attributes: Record<string, string[]>): Promise<void> {
    return this.operation('write', (resolve, reject) => {
      this.client.add(dn, attributes, (error: unknown) => {
        if (error) reject(classify(error, this.target, 'write', this.timeoutMs));
        else resolve();
      });
    });
  }

  replace(dn: string, attributes: Record<string, string[]>): Promise<void> {
    const changes = Object.entries(attributes).map(
      ([type, values]) => new ldap.Change({ operation: 'replace', modification: { type, values } }),
    );
    return this.operation('write', (resolve, reject) => {
      this.client.modify(dn, changes, (error: unknown) => {
        if (error) reject(classify(error, this.target, 'write', this.timeoutMs));
        else resolve();
      });
    });
  }
}

/** Timeouts on our side and lost connections, as opposed to answers (including result 3). */
function leavesConnectionUnknown(error: LdapAdapterError): boolean {
  return (
    error.resultCode === undefined &&
    (error.kind === LdapErrorKind.Timeout || error.kind === LdapErrorKind.Unreachable)
  );
}

function parseFilter(filter: string): LdapFilterNode {
  try {
    return parseLdapFilter(filter);
  } catch (error: unknown) {
    if (error instanceof LdapFilterSyntaxError) {
      throw new LdapAdapterError(LdapErrorKind.Other, error.message, undefined, { cause: error });
    }
    throw error;
  }
}

/** Undefined: all user attributes; []: none; otherwise the list plus the stable ids. */
function requestedAttributes(attributes: string[] | undefined): string[] {
  if (attributes === undefined) return ['*', 'entryUUID'];
  if (attributes.length === 0) return ['1.1'];
  const wanted = [...attributes];
  for (const id of ['entryUUID', 'objectGUID']) {
    if (!wanted.some((name) => name.toLowerCase() === id.toLowerCase())) wanted.push(id);
  }
  return wanted;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(value: Buffer, kind: string): string {
  try {
    return utf8.decode(value);
  } catch {
    throw new LdapAdapterError(
      LdapErrorKind.Other,
      `${kind} filter values must be UTF-8 text with this client`,
    );
  }
}

/** Our filter tree as ldapjs filter objects; equality values go over as raw bytes. */
function toLdapjsFilter(node: LdapFilterNode): ldap.Filter {
  switch (node.type) {
    case 'and':
      return new ldap.AndFilter({ filters: node.filters.map(toLdapjsFilter) });
    case 'or':
      return new ldap.OrFilter({ filters: node.filters.map(toLdapjsFilter) });
    case 'not':
      return new ldap.NotFilter({ filter: toLdapjsFilter(node.filter) });
    case 'present':
      return new ldap.PresenceFilter({ attribute: node.attribute });
    case 'equality':
      return new ldap.EqualityFilter({ attribute: node.attribute, value: node.value });
    case 'approx':
      return new ldap.ApproximateFilter({
        attribute: node.attribute,
        value: text(node.value, 'approximate'),
      });
    case 'greaterOrEqual':
      return new ldap.GreaterThanEqualsFilter({
        attribute: node.attribute,
        value: text(node.value, 'ordering'),
      });
    case 'lessOrEqual':
      return new ldap.LessThanEqualsFilter({
        attribute: node.attribute,
        value: text(node.value, 'ordering'),
      });
    case 'substrings':
      return new ldap.SubstringFilter({
        attribute: node.attribute,
        initial: node.initial ? text(node.initial, 'substring') : '',
        any: node.any.map((part) => text(part, 'substring')),
        ...(node.final ? { final: text(node.final, 'substring') } : {}),
      });
    case 'extensible':
      return new ldap.ExtensibleFilter({
        ...(node.attribute ? { matchType: node.attribute } : {}),
        ...(node.matchingRule ? { rule: node.matchingRule } : {}),
        dnAttributes: node.dnAttributes,
        value: text(node.value, 'extensible'),
      });
  }
}

/** What a raw search is told: one of its messages, or why none will come. Answering true ends
 *  its registration. */
type RawHandler = (message: RawLdapMessage | Error) => boolean;

/**
 * While raw searches run on a connection, the socket's data listeners (ldapjs' parser) are set
 * aside and the bytes are read here: messages of a registered search go to its handler, any other
 * complete message is handed to ldapjs' listeners as it came. With no search left, ldapjs gets
 * its listeners back, with the bytes of any unfinished message.
 */
class RawRouter {
  private readonly reader = new LdapMessageReader();
  private readonly handlers = new Map<number, RawHandler>();
  private readonly saved: ((chunk: Buffer) => void)[];
  private counter = 0;
  private readonly onData = (chunk: Buffer): void => this.data(chunk);
  private readonly onClose = (): void => {
    this.failAll(new LdapAdapterError(LdapErrorKind.Unreachable, 'the LDAP connection was closed'));
  };

  constructor(
    private readonly socket: Socket,
    private readonly onDetach: () => void,
  ) {
    this.saved = socket.listeners('data') as ((chunk: Buffer) => void)[];
    socket.removeAllListeners('data');
    socket.on('data', this.onData);
    socket.once('close', this.onClose);
  }

  nextMessageId(): number {
    this.counter = (this.counter + 1) % RAW_MESSAGE_ID_SPAN;
    return RAW_MESSAGE_ID_BASE + this.counter;
  }

  register(messageId: number, handler: RawHandler): void {
    this.handlers.set(messageId, handler);
  }

  private data(chunk: Buffer): void {
    let messages: RawLdapMessage[];
    try {
      messages = this.reader.push(chunk);
    } catch (error: unknown) {
      const detail = error instanceof LdapBerError ? error.message : String(error);
      this.failAll(
        new LdapAdapterError(
          LdapErrorKind.Other,
          `malformed answer from the LDAP server: ${detail}`,
        ),
      );
      this.socket.destroy();
      return;
    }
    for (const message of messages) {
      const handler = this.handlers.get(message.messageId);
      if (!handler) {
        for (const listener of this.saved) listener.call(this.socket, message.raw);
      } else {
        let done: boolean;
        try {
          done = handler(message);
        } catch (error: unknown) {
          done = true;
          handler(error instanceof Error ? error : new Error(String(error)));
        }
        if (done) this.handlers.delete(message.messageId);
      }
    }
    if (this.handlers.size === 0) this.detach();
  }

  private failAll(error: Error): void {
    const handlers = [...this.handlers.values()];
    this.handlers.clear();
    for (const handler of handlers) handler(error);
    this.detach();
  }

  private detach(): void {
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('close', this.onClose);
    for (const listener of this.saved) this.socket.on('data', listener);
    this.onDetach();
    const rest = this.reader.remainder();
    if (rest.length > 0) for (const listener of this.saved) listener.call(this.socket, rest);
  }
}

/** ldapjs' socket of a connected client (private; a raw search is skipped without it). */
function rawSocketOf(client: ldap.Client): Socket | undefined {
  const socket: unknown = (client as unknown as { _socket?: unknown })._socket;
  if (
    typeof socket === 'object' &&
    socket !== null &&
    'listeners' in socket &&
    'write' in socket &&
    typeof socket.write === 'function' &&
    typeof socket.listeners === 'function' &&
    (socket.listeners as (event: string) => unknown[]).call(socket, 'data').length === 1
  ) {
    return socket as Socket;
  }
  return undefined;
}

/** Common DNs (`uid=jdoe,ou=users,dc=example,dc=com`) that formatDn would give back unchanged:
 *  nothing to escape, single inner spaces. */
const PLAIN_DN =
  /^[A-Za-z][A-Za-z0-9-]*=[A-Za-z0-9._@-]+(?: [A-Za-z0-9._@-]+)*(?:,[A-Za-z][A-Za-z0-9-]*=[A-Za-z0-9._@-]+(?: [A-Za-z0-9._@-]+)*)*$/;

function rawEntry(dn: string, attributes: RawAttributes): LdapEntry {
  return { dn: PLAIN_DN.test(dn) ? dn : formatDn(dn), attributes };
}

function rawPagedCookie(controls: readonly { type: string; value: Buffer | undefined }[]) {
  const control = controls.find((each) => each.type === PAGED_RESULTS_OID);
  if (!control) return undefined;
  if (!control.value) return Buffer.alloc(0);
  try {
    return readPagedResultsValue(control.value).cookie;
  } catch (error: unknown) {
    throw new LdapAdapterError(
      LdapErrorKind.Other,
      `malformed paged-results control: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function toEntry(entry: ldap.SearchEntry): LdapEntry {
  const attributes: Record<string, string[]> = {};
  for (const attribute of entry.attributes) {
    addAttributeValues(
      attributes,
      attribute.type,
      decodeAttributeValues(attribute.type, attribute.buffers),
    );
  }
  // ldapjs hands the DN back re-encoded (`cn=\e6\9d\8e…`, `\2c`); callers get one readable form.
  return { dn: formatDn(String(entry.objectName)), attributes };
}

function pagedCookie(done: unknown): Buffer | undefined {
  if (typeof done !== 'object' || done === null || !('controls' in done)) return undefined;
  const controls: unknown = done.controls;
  if (!Array.isArray(controls)) return undefined;
  for (const control of controls as unknown[]) {
    if (
      typeof control === 'object' &&
      control !== null &&
      'type' in control &&
      control.type === PAGED_RESULTS_OID &&
      'value' in control &&
      typeof control.value === 'object' &&
      control.value !== null &&
      'cookie' in control.value
    ) {
      const cookie: unknown = control.value.cookie;
      return Buffer.isBuffer(cookie) ? cookie : Buffer.alloc(0);
    }
  }
  return undefined;
}

function truncatedError(target: string, count: number): LdapAdapterError {
  return new LdapAdapterError(
    LdapErrorKind.Other,
    `LDAP server ${target} stopped at its size limit after ${count} entries; result incomplete`,
    LDAP_SIZE_LIMIT_EXCEEDED,
  );
}

function timeoutError(target: string, phase: Phase, ms: number): LdapAdapterError {
  return phase === 'connect'
    ? new LdapAdapterError(
        LdapErrorKind.Unreachable,
        `no connection to LDAP server ${target} within ${ms} ms`,
      )
    : new LdapAdapterError(
        LdapErrorKind.Timeout,
        `LDAP server ${target} did not answer the ${phase} within ${ms} ms`,
      );
}

function resultCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const name = 'name' in error ? error.name : undefined;
  // ldapjs' client-side errors inherit code 80 (other); they are not server answers.
  if (name === 'ConnectionError' || name === 'TimeoutError' || name === 'AbandonedError') {
    return undefined;
  }
  return typeof error.code === 'number' ? error.code : undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'EADDRNOTAVAIL',
]);
/** OpenSSL verification codes and Node's TLS codes. */
const TLS_CODE =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|ALTNAME|HOSTNAME|^ERR_TLS|^ERR_SSL|^EPROTO$/;

function classify(
  error: unknown,
  target: string,
  phase: Phase,
  timeoutMs: number,
): LdapAdapterError {
  if (error instanceof LdapAdapterError) return error;
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : '';
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  // Not `instanceof Error`: Node's own errors may come from another realm (jest's sandbox).
  const detail =
    typeof error === 'object' && error !== null && 'message' in error
      ? String(error.message)
      : String(error);
  const make = (kind: LdapErrorKind, message: string, resultCode?: number): LdapAdapterError =>
    new LdapAdapterError(kind, message, resultCode, { cause: error });

  if (name === 'TimeoutError') return timeoutError(target, phase, timeoutMs);
  const resultCode = resultCodeOf(error);
  if (resultCode !== undefined) return fromResultCode(resultCode, target, phase, detail, make);
  if (typeof code === 'string' && TLS_CODE.test(code)) {
    return make(LdapErrorKind.Tls, `TLS with LDAP server ${target} failed: ${code} (${detail})`);
  }
  if ((typeof code === 'string' && NETWORK_CODES.has(code)) || name === 'ConnectionError') {
    return make(
      LdapErrorKind.Unreachable,
      phase === 'connect'
        ? `LDAP server ${target} is unreachable: ${detail}`
        : `connection to LDAP server ${target} was lost: ${detail}`,
    );
  }
  if (phase === 'starttls') {
    return make(LdapErrorKind.Tls, `StartTLS with LDAP server ${target} failed: ${detail}`);
  }
  if (phase === 'connect') {
    return make(LdapErrorKind.Unreachable, `LDAP server ${target} is unreachable: ${detail}`);
  }
  return make(LdapErrorKind.Other, `LDAP ${phase} on ${target} failed: ${detail}`);
}

function fromResultCode(
  resultCode: number,
  target: string,
  phase: Phase,
  detail: string,
  make: (kind: LdapErrorKind, message: string, resultCode?: number) => LdapAdapterError,
): LdapAdapterError {
  switch (resultCode) {
    case 49:
      return make(
        LdapErrorKind.InvalidCredentials,
        `LDAP server ${target} rejected the credentials (result 49)`,
        resultCode,
      );
    case 32:
      return make(
        LdapErrorKind.NoSuchObject,
        `LDAP ${phase} on ${target}: no such object (result 32)`,
        resultCode,
      );
    case 3:
      return make(
        LdapErrorKind.Timeout,
        `LDAP server ${target} hit its time limit during the ${phase} (result 3)`,
        resultCode,
      );
    case 51:
    case 52:
      return make(
        LdapErrorKind.Unreachable,
        `LDAP server ${target} is busy or unavailable (result ${resultCode}: ${detail})`,
        resultCode,
      );
    case 13:
      return make(
        LdapErrorKind.Tls,
        `LDAP server ${target} requires a TLS connection (result 13)`,
        resultCode,
      );
    default:
      return make(
        phase === 'starttls' ? LdapErrorKind.Tls : LdapErrorKind.Other,
        `LDAP ${phase} on ${target} failed with result ${resultCode}: ${detail}`,
        resultCode,
      );
  }
}
