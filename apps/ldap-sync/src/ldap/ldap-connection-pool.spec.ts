import type { LdapConnection, LdapEntry } from './ldap-connection';
import { LdapConnectionPool } from './ldap-connection-pool';

/** Only `usable` and `close` matter to the pool. */
class StubConnection implements LdapConnection {
  closed = false;
  dropped = false;

  get usable(): boolean {
    return !this.closed && !this.dropped;
  }

  bind(): Promise<void> {
    return Promise.resolve();
  }

  search(): Promise<LdapEntry[]> {
    return Promise.resolve([]);
  }

  searchPages(): AsyncIterable<LdapEntry[]> {
    throw new Error('not used');
  }

  readRootDse(): Promise<LdapEntry> {
    return Promise.reject(new Error('not used'));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

describe('LdapConnectionPool', () => {
  let pool: LdapConnectionPool;
  let opened: StubConnection[];
  const open = (): Promise<LdapConnection> => {
    const connection = new StubConnection();
    opened.push(connection);
    return Promise.resolve(connection);
  };
  const use = (key = 'k'): Promise<LdapConnection> =>
    pool.run(key, open, (connection) => Promise.resolve(connection));

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    opened = [];
    pool = new LdapConnectionPool({ maxIdlePerKey: 2, idleMs: 30_000 });
  });

  afterEach(async () => {
    await pool.onModuleDestroy();
    jest.useRealTimers();
  });

  it('hands the same connection out again for the same key, never for another', async () => {
    const first = await use('a');
    expect(await use('a')).toBe(first);
    expect(await use('b')).not.toBe(first);
    expect(opened).toHaveLength(2);
  });

  it('opens one connection per concurrent user and keeps at most maxIdlePerKey of them', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const busy = [1, 2, 3].map(() => pool.run('k', open, () => gate));
    release();
    await Promise.all(busy);
    expect(opened).toHaveLength(3);
    expect(pool.idleCount('k')).toBe(2);
    expect(opened.filter((connection) => connection.closed)).toHaveLength(1);
  });

  it('closes a connection idle longer than idleMs instead of reusing it', async () => {
    const first = (await use()) as StubConnection;
    jest.setSystemTime(30_001);
    const second = await use();
    expect(second).not.toBe(first);
    expect(first.closed).toBe(true);
  });

  it('sweeps idle connections in the background', async () => {
    const first = (await use()) as StubConnection;
    jest.advanceTimersByTime(45_000);
    expect(first.closed).toBe(true);
    expect(pool.idleCount('k')).toBe(0);
  });

  it('does not keep a connection that became unusable', async () => {
    const first = (await use()) as StubConnection;
    first.dropped = true;
    expect(await use()).not.toBe(first);
    expect(first.closed).toBe(true);
  });

  it('passes the error of a fresh connection on without retrying', async () => {
    await expect(
      pool.run('k', open, () => Promise.reject(new Error('no such object'))),
    ).rejects.toThrow('no such object');
    expect(opened).toHaveLength(1);
    expect(pool.idleCount('k')).toBe(1);
  });

  it('closes every kept connection on shutdown and every returned one after it', async () => {
    const kept = (await use()) as StubConnection;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inUse = pool.run('other', open, (connection) => gate.then(() => connection));
    await pool.onModuleDestroy();
    expect(kept.closed).toBe(true);
    release();
    expect(((await inUse) as StubConnection).closed).toBe(true);
  });
});
