import type { UnitStatusSource } from '@gatehouse/contracts';
import { UnitStatusBatcher } from './unit-status.batcher';
import type { UnitChange, UnitStatusInput, UnitStatusRepository } from './unit-status.repository';

/** A repository fake recording each statement; every unit written counts as changed. */
class FakeUnits {
  readonly statements: string[][] = [];
  failNext = false;

  apply(
    _tenant: string,
    _project: string,
    units: UnitStatusInput[],
    _source: UnitStatusSource,
  ): Promise<UnitChange[]> {
    this.statements.push(units.map((unit) => `${unit.unitId}=${unit.status}`));
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('database down'));
    }
    return Promise.resolve(
      units.map((unit) => ({
        unitId: unit.unitId,
        oldStatus: null,
        status: unit.status,
        raw: unit.raw,
        changedAt: new Date(0),
      })),
    );
  }
}

const unit = (unitId: string, status: UnitStatusInput['status'] = 'sold'): UnitStatusInput => ({
  unitId,
  status,
  raw: status,
});

describe('UnitStatusBatcher', () => {
  it('merges concurrent writes of a project into one statement and answers each its own changes', async () => {
    const fake = new FakeUnits();
    const batcher = new UnitStatusBatcher(fake as unknown as UnitStatusRepository);
    const answers = await Promise.all([
      batcher.write('1', 'p', [unit('a')], 'webhook'),
      batcher.write('1', 'p', [unit('b'), unit('c')], 'webhook'),
      batcher.write('1', 'p', [unit('d')], 'webhook'),
    ]);
    expect(fake.statements).toEqual([['a=sold', 'b=sold', 'c=sold', 'd=sold']]);
    expect(answers.map((changes) => changes.map((c) => c.unitId))).toEqual([
      ['a'],
      ['b', 'c'],
      ['d'],
    ]);
  });

  it('puts a unit written twice into a later statement, in order', async () => {
    const fake = new FakeUnits();
    const batcher = new UnitStatusBatcher(fake as unknown as UnitStatusRepository);
    await Promise.all([
      batcher.write('1', 'p', [unit('a', 'sold')], 'webhook'),
      batcher.write('1', 'p', [unit('b')], 'webhook'),
      batcher.write('1', 'p', [unit('a', 'hold')], 'webhook'),
    ]);
    expect(fake.statements).toEqual([['a=sold', 'b=sold'], ['a=hold']]);
  });

  it('rejects every caller of a failed statement, and carries on with the next', async () => {
    const fake = new FakeUnits();
    fake.failNext = true;
    const batcher = new UnitStatusBatcher(fake as unknown as UnitStatusRepository);
    const first = batcher.write('1', 'p', [unit('a')], 'webhook');
    const second = batcher.write('1', 'p', [unit('b')], 'webhook');
    await expect(first).rejects.toThrow('database down');
    await expect(second).rejects.toThrow('database down');
    await expect(batcher.write('1', 'p', [unit('c')], 'webhook')).resolves.toHaveLength(1);
  });
});
