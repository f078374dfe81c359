import { parseArgon2Hash } from './argon2-phc';

const SALT = 'c29tZXNhbHRzb21lc2FsdA';
const HASH = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI';

describe('parseArgon2Hash', () => {
  it('reads variant, version and costs', () => {
    expect(parseArgon2Hash(`$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`)).toEqual({
      variant: 'argon2id',
      version: 19,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
  });

  it('reads argon2i, a data parameter, and a missing version as 16', () => {
    expect(parseArgon2Hash(`$argon2i$m=4096,t=3,p=4,data=YWQ$${SALT}$${HASH}`)).toEqual({
      variant: 'argon2i',
      version: 16,
      memoryCost: 4096,
      timeCost: 3,
      parallelism: 4,
    });
  });

  it('accepts the parameters in any order, as node-argon2 writes m,p,t', () => {
    expect(parseArgon2Hash(`$argon2id$v=19$p=4,m=65536,t=3$${SALT}$${HASH}`)).toEqual({
      variant: 'argon2id',
      version: 19,
      memoryCost: 65536,
      timeCost: 3,
      parallelism: 4,
    });
  });

  it.each([
    '',
    'hunter2',
    '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW',
    `$argon2x$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1,t=3$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1,x=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,,t=2,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}$extra`,
    `$argon2id$v=19$m=-1,t=2,p=1$${SALT}$${HASH}`,
    ` $argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`,
  ])('returns undefined for %j', (value) => {
    expect(parseArgon2Hash(value)).toBeUndefined();
  });
});
