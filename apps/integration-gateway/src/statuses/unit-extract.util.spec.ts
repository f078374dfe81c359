import { extractUnits } from './unit-extract.util';

const DEFAULTS = { unitsPath: '', idField: 'id', statusField: 'status' };

describe('extractUnits', () => {
  it('reads a list of {id, status} by default, ids as strings', () => {
    expect(
      extractUnits(
        [
          { id: 'A-1', status: 'Sold' },
          { id: 7, status: 'Open' },
        ],
        DEFAULTS,
      ),
    ).toEqual({
      units: [
        { unitId: 'A-1', raw: 'Sold' },
        { unitId: '7', raw: 'Open' },
      ],
      skipped: 0,
    });
  });

  it('finds the list under units/data/items, and a single unit (a webhook or SSE event)', () => {
    expect(extractUnits({ units: [{ id: 'a', status: 'x' }] }, DEFAULTS).units).toHaveLength(1);
    expect(
      extractUnits({ type: 'unit.updated', data: { id: 'b', status: 'Hold' } }, DEFAULTS),
    ).toEqual({ units: [{ unitId: 'b', raw: 'Hold' }], skipped: 0 });
    expect(extractUnits({ id: 'c', status: 'Sold' }, DEFAULTS).units).toEqual([
      { unitId: 'c', raw: 'Sold' },
    ]);
  });

  it('follows a configured path and field names', () => {
    const body = { payload: { rows: [{ code: 'U1', state: 'Reserved' }] } };
    expect(
      extractUnits(body, { unitsPath: 'payload.rows', idField: 'code', statusField: 'state' }),
    ).toEqual({ units: [{ unitId: 'U1', raw: 'Reserved' }], skipped: 0 });
    expect(extractUnits(body, { ...DEFAULTS, unitsPath: 'payload.missing' }).units).toEqual([]);
  });

  it('skips items without a usable id or status and keeps the last of duplicate ids', () => {
    const result = extractUnits(
      [
        { id: 'a', status: 'Open' },
        { id: '', status: 'Open' },
        { id: 'b' },
        { id: { nested: true }, status: 'Open' },
        'text',
        { id: 'a', status: 'Sold' },
      ],
      DEFAULTS,
    );
    expect(result).toEqual({ units: [{ unitId: 'a', raw: 'Sold' }], skipped: 4 });
  });
});
