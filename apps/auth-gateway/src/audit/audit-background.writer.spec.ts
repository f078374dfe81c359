import { Logger } from '@nestjs/common';
import {
  AUDIT_FLUSH_MS,
  AUDIT_MAX_BATCH,
  AUDIT_MAX_QUEUED,
  AuditBackgroundWriter,
} from './audit-background.writer';
import { AuditRepository } from './audit.repository';
import type { AuditActor, AuditEntry } from './audit.types';

type Row = { actor: AuditActor; entry: AuditEntry };

/** Records each insertMany call; fails when told to. */
class RecordingRepository extends AuditRepository {
  readonly batches: Row[][] = [];
  failWith: Error | undefined;
  hold: Promise<void> | undefined;

  constructor() {
    super(undefined as never);
  }

  override async insertMany(rows: Row[]): Promise<void> {
    await this.hold;
    if (this.failWith) throw this.failWith;
    this.batches.push(rows);
  }
}

const actor: AuditActor = {
  tenantId: '1',
  actorId: null,
  actorName: 'dave',
  address: '127.0.0.1',
  requestId: 'r-1',
};
const login = (n: number): AuditEntry => ({
  action: 'auth.login_failed',
  targetType: 'user',
  targetId: `user-${n}`,
});

describe('AuditBackgroundWriter', () => {
  let repository: RecordingRepository;
  let writer: AuditBackgroundWriter;
  let warnings: string[];

  beforeEach(() => {
    jest.useFakeTimers();
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    repository = new RecordingRepository();
    writer = new AuditBackgroundWriter(repository);
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('writes the events of one flush interval in one batch, in order', async () => {
    writer.add(actor, login(1));
    writer.add(actor, login(2));
    expect(repository.batches).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(AUDIT_FLUSH_MS);
    expect(repository.batches.map((batch) => batch.map((row) => row.entry.targetId))).toEqual([
      ['user-1', 'user-2'],
    ]);
  });

  it('writes at once when a batch is full', async () => {
    for (let n = 0; n < AUDIT_MAX_BATCH; n += 1) writer.add(actor, login(n));
    await Promise.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(repository.batches).toHaveLength(1);
    expect(repository.batches[0]).toHaveLength(AUDIT_MAX_BATCH);
  });

  it('masks secrets before they are queued', async () => {
    writer.add(actor, { ...login(1), after: { password: 'hunter2', reason: 'x' } });
    await writer.flush();
    expect(repository.batches[0]?.[0]?.entry.after).toEqual({ password: '******', reason: 'x' });
  });

  it('writes what is pending on shutdown', async () => {
    writer.add(actor, login(1));
    await writer.onModuleDestroy();
    expect(repository.batches).toHaveLength(1);
  });

  it('logs a failed write instead of throwing, and goes on with the next batch', async () => {
    repository.failWith = new Error('connection refused');
    writer.add(actor, login(1));
    await expect(writer.flush()).resolves.toBeUndefined();
    expect(warnings.join('\n')).toContain('1 audit records (auth.login_failed) not written');
    repository.failWith = undefined;
    writer.add(actor, login(2));
    await writer.flush();
    expect(repository.batches).toHaveLength(1);
  });

  it('drops events beyond the queue bound while the database is stuck, and says how many', async () => {
    let release: () => void = () => undefined;
    repository.hold = new Promise((resolve) => (release = resolve));
    for (let n = 0; n < AUDIT_MAX_QUEUED + 10; n += 1) writer.add(actor, login(n));
    release();
    await writer.flush();
    const written = repository.batches.reduce((sum, batch) => sum + batch.length, 0);
    expect(written).toBe(AUDIT_MAX_QUEUED);
    expect(warnings).toEqual(['10 audit records dropped: too many were waiting to be written']);
    writer.add(actor, login(-1));
    await writer.flush();
    expect(repository.batches.at(-1)?.map((row) => row.entry.targetId)).toEqual(['user--1']);
  });
});
