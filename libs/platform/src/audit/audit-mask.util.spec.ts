import { MASK, maskSecrets } from './audit-mask.util';

describe('maskSecrets', () => {
  it('masks passwords, secrets, tokens and hashes at any depth and keeps the rest', () => {
    expect(
      maskSecrets({
        username: 'alice',
        password: 'p',
        nested: { clientSecret: 's', list: [{ refresh_token: 't', keep: 1 }] },
        passwordHash: null,
        when: new Date(0),
      }),
    ).toEqual({
      username: 'alice',
      password: MASK,
      nested: { clientSecret: MASK, list: [{ refresh_token: MASK, keep: 1 }] },
      passwordHash: null,
      when: '1970-01-01T00:00:00.000Z',
    });
  });

  it('leaves scalars alone', () => {
    expect(maskSecrets('x')).toBe('x');
    expect(maskSecrets(undefined)).toBeUndefined();
  });
});
