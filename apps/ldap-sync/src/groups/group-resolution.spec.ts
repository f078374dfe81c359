import {
  containedGroups,
  containingGroups,
  diffEdges,
  diffMemberships,
  type MembershipGraph,
  resolveInherited,
  resolveMemberships,
} from './group-resolution';

function graph(
  users: Record<string, string[]>,
  nested: Record<string, string[]> = {},
): MembershipGraph {
  return { users: new Map(Object.entries(users)), nested: new Map(Object.entries(nested)) };
}

function pairs(result: ReturnType<typeof resolveMemberships>): string[] {
  return result.map((row) => `${row.userId}@${row.groupId}${row.direct ? '' : '~'}`).sort();
}

describe('resolveMemberships', () => {
  it('lists direct members as direct', () => {
    const result = resolveMemberships(graph({ g1: ['u1', 'u2'], g2: ['u2'] }), ['g1', 'g2']);
    expect(pairs(result)).toEqual(['u1@g1', 'u2@g1', 'u2@g2']);
  });

  it('gives a parent group the members of nested groups at any depth, marked indirect', () => {
    const g = graph({ top: ['u0'], mid: ['u1'], leaf: ['u2'] }, { top: ['mid'], mid: ['leaf'] });
    expect(pairs(resolveMemberships(g, ['top', 'mid', 'leaf']))).toEqual([
      'u0@top',
      'u1@mid',
      'u1@top~',
      'u2@leaf',
      'u2@mid~',
      'u2@top~',
    ]);
  });

  it('a user listed directly and through a nested group is one direct membership', () => {
    const g = graph({ top: ['u1'], leaf: ['u1'] }, { top: ['leaf'] });
    expect(pairs(resolveMemberships(g, ['top', 'leaf']))).toEqual(['u1@leaf', 'u1@top']);
  });

  it('terminates on cycles; every group of a cycle holds the members of the others', () => {
    const g = graph({ a: ['ua'], b: ['ub'], c: ['uc'] }, { a: ['b'], b: ['c'], c: ['a'] });
    const result = resolveMemberships(g, ['a', 'b', 'c']);
    expect(result).toHaveLength(9);
    expect(pairs(result)).toContain('uc@a~');
    expect(pairs(result)).toContain('ua@b~');
  });

  it('terminates on a group that contains itself', () => {
    const g = graph({ a: ['u1'] }, { a: ['a'] });
    expect(pairs(resolveMemberships(g, ['a']))).toEqual(['u1@a']);
  });

  it('gives an empty group no members and ignores unknown nested ids', () => {
    const g = graph({}, { a: ['ghost'] });
    expect(resolveMemberships(g, ['a'])).toEqual([]);
  });
});

describe('resolveInherited', () => {
  /** A small random directory: users and groups listed in groups, cycles and self-nesting
   *  included (a fixed seed keeps it reproducible). */
  function randomGraph(seed: number): { graph: MembershipGraph; groups: string[] } {
    let state = seed;
    const next = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    const groups = Array.from({ length: 8 }, (_, i) => `g${i}`);
    const users: Record<string, string[]> = {};
    const nested: Record<string, string[]> = {};
    for (const group of groups) {
      users[group] = [...new Set(Array.from({ length: next(5) }, () => `u${next(10)}`))];
      nested[group] = [...new Set(Array.from({ length: next(3) }, () => `g${next(8)}`))];
    }
    return { graph: graph(users, nested), groups };
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    'answers the indirect part and the size of resolveMemberships (seed %i)',
    (seed) => {
      const { graph: directory, groups } = randomGraph(seed);
      const all = resolveMemberships(directory, groups);
      const { inherited, total } = resolveInherited(directory, groups);
      expect(total).toBe(all.length);
      expect(pairs(inherited)).toEqual(pairs(all.filter((row) => !row.direct)));
    },
  );

  it('stores nothing for a flat directory', () => {
    const flat = graph({ a: ['u1', 'u2'], b: ['u2'] });
    expect(resolveInherited(flat, ['a', 'b'])).toEqual({ inherited: [], total: 3 });
  });
});

describe('containedGroups / containingGroups', () => {
  it('walks down and up through a cycle, each group once', () => {
    const g = graph({}, { a: ['b'], b: ['c'], c: ['a', 'd'] });
    expect([...containedGroups(g, 'a')].sort()).toEqual(['a', 'b', 'c', 'd']);
    const parents: Record<string, string[]> = { b: ['a'], c: ['b'], a: ['c'], d: ['c'] };
    expect([...containingGroups((id) => parents[id] ?? [], ['d'])].sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('containingGroups of nothing is empty', () => {
    expect(containingGroups(() => ['x'], []).size).toBe(0);
  });
});

describe('diffEdges / diffMemberships', () => {
  it('touches only the groups in scope and only what changed', () => {
    const before = new Map([
      ['g1', ['u1', 'u2']],
      ['g2', ['u3']],
    ]);
    const after = new Map([['g1', ['u2', 'u4']]]);
    expect(diffEdges(before, after, ['g1'])).toEqual({
      added: [['g1', 'u4']],
      removed: [['g1', 'u1']],
    });
    expect(diffEdges(before, after, ['g1', 'g2']).removed).toContainEqual(['g2', 'u3']);
    expect(diffEdges(before, before, ['g1', 'g2'])).toEqual({ added: [], removed: [] });
  });

  it('writes new rows and changed direct flags, deletes the gone, skips the unchanged', () => {
    const before = [
      { userId: 'u1', groupId: 'g1', direct: true },
      { userId: 'u2', groupId: 'g1', direct: true },
      { userId: 'u3', groupId: 'g1', direct: false },
    ];
    const after = [
      { userId: 'u1', groupId: 'g1', direct: true },
      { userId: 'u3', groupId: 'g1', direct: true },
      { userId: 'u4', groupId: 'g1', direct: false },
    ];
    expect(diffMemberships(before, after)).toEqual({
      upserts: [
        { userId: 'u3', groupId: 'g1', direct: true },
        { userId: 'u4', groupId: 'g1', direct: false },
      ],
      removed: [{ userId: 'u2', groupId: 'g1', direct: true }],
    });
    expect(diffMemberships(after, after)).toEqual({ upserts: [], removed: [] });
  });
});
