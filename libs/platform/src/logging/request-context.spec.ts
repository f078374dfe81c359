import { acceptRequestId } from './request-context';

describe('acceptRequestId', () => {
  it('keeps a plain incoming id', () => {
    expect(acceptRequestId('abc-123_x.y:z')).toBe('abc-123_x.y:z');
  });

  it.each([[undefined], [''], ['a b'], ['x'.repeat(129)], ['id\n{"level":60}'], [['a', 'b']]])(
    'replaces %p with a fresh uuid',
    (candidate) => {
      expect(acceptRequestId(candidate)).toMatch(/^[0-9a-f-]{36}$/);
    },
  );
});
