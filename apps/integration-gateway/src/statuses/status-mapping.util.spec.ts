import { CANONICAL_STATUSES, DEFAULT_STATUS_MAPPING } from '@gatehouse/contracts';
import { effectiveMapping, StatusMapper } from './status-mapping.util';

describe('status mapping (seed 004 map_status)', () => {
  const defaults = new StatusMapper(effectiveMapping(null));

  it('maps every default value of the seed to its canonical status', () => {
    for (const status of CANONICAL_STATUSES) {
      for (const raw of DEFAULT_STATUS_MAPPING[status]) {
        expect(defaults.map(raw)).toEqual({ status, known: true });
      }
    }
  });

  it('answers unavailable, marked unknown, for a value in no list (matching is exact)', () => {
    expect(defaults.map('Sold ')).toEqual({ status: 'unavailable', known: false });
    expect(defaults.map('sOLD')).toEqual({ status: 'unavailable', known: false });
    expect(defaults.map('')).toEqual({ status: 'unavailable', known: false });
  });

  it('uses a configured list instead of the default one, keeping defaults for the others', () => {
    const mapper = new StatusMapper(effectiveMapping({ sold: ['Closed'] }));
    expect(mapper.map('Closed')).toEqual({ status: 'sold', known: true });
    expect(mapper.map('Sold')).toEqual({ status: 'unavailable', known: false });
    expect(mapper.map('Reserved')).toEqual({ status: 'reserved', known: true });
  });

  it('gives a value listed twice to the first status in the seed order', () => {
    const mapper = new StatusMapper(effectiveMapping({ hold: ['X'], reserved: ['X'] }));
    expect(mapper.map('X').status).toBe('reserved');
  });
});
