import { EnvError, env, parseEnv } from './env-schema';
import { loadPlatformConfig } from './platform.config';

describe('parseEnv', () => {
  const schema = {
    PORT: env.int('port', 3000, 1, 65535),
    URL: env.url('url', undefined, ['redis:']),
    MODE: env.oneOf('mode', 'a', ['a', 'b'] as const),
    FLAG: env.bool('flag', false),
  };

  it('applies defaults and parses given values', () => {
    expect(parseEnv(schema, { URL: 'redis://h:1', FLAG: 'yes', PORT: '8080' })).toEqual({
      PORT: 8080,
      URL: 'redis://h:1',
      MODE: 'a',
      FLAG: true,
    });
  });

  it('treats an empty value as missing', () => {
    expect(() => parseEnv(schema, { URL: '' })).toThrow(
      'URL is required: expected a URL with scheme redis://',
    );
  });

  it.each([
    ['PORT', '80a', 'PORT is invalid: expected an integer from 1 to 65535'],
    ['PORT', '70000', 'PORT is invalid: expected an integer from 1 to 65535'],
    ['URL', 'http://h', 'URL is invalid: expected a URL with scheme redis://'],
    ['MODE', 'c', 'MODE is invalid: expected one of a, b'],
    ['FLAG', 'maybe', 'FLAG is invalid: expected true or false'],
  ])('names %s and what it expects when it is %p', (name, value, message) => {
    let thrown: unknown;
    try {
      parseEnv(schema, { URL: 'redis://h', [name]: value });
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnvError);
    expect((thrown as EnvError).message).toBe(message);
    expect((thrown as EnvError).variable).toBe(name);
  });

  it('never echoes the rejected value (it may be a secret)', () => {
    let message = '';
    try {
      parseEnv(schema, { URL: 'redis://:hunter2@h', PORT: 'hunter2' });
    } catch (error: unknown) {
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toBe('PORT is invalid: expected an integer from 1 to 65535');
  });
});

describe('loadPlatformConfig', () => {
  it('serves this machine by default', () => {
    const config = loadPlatformConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/gatehouse');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.RPC_TIMEOUT_MS).toBe(2000);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(10000);
  });
});
