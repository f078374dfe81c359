/** A small typed schema for environment variables: each entry parses one variable, has a default
 *  that serves this machine, and a description the README table is written from. A bad value stops
 *  the process with one line naming the variable and what it expects. */
export interface EnvVarSpec<T> {
  description: string;
  /** What a valid value looks like, used in the error line. */
  expects: string;
  default?: T;
  secret?: boolean;
  parse(raw: string): T | undefined;
}

export type EnvSchema = Record<string, EnvVarSpec<unknown>>;
export type EnvValues<S extends EnvSchema> = {
  [K in keyof S]: S[K] extends EnvVarSpec<infer T> ? T : never;
};

export class EnvError extends Error {
  constructor(
    readonly variable: string,
    readonly expects: string,
    readonly received: string | undefined,
  ) {
    super(
      received === undefined
        ? `${variable} is required: expected ${expects}`
        : `${variable} is invalid: expected ${expects}`,
    );
    this.name = 'EnvError';
  }
}

export function parseEnv<S extends EnvSchema>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): EnvValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (spec.default === undefined) throw new EnvError(name, spec.expects, undefined);
      values[name] = spec.default;
      continue;
    }
    const parsed = spec.parse(raw);
    if (parsed === undefined) throw new EnvError(name, spec.expects, raw);
    values[name] = parsed;
  }
  return values as EnvValues<S>;
}

export const env = {
  string(description: string, def?: string, opts: { secret?: boolean } = {}): EnvVarSpec<string> {
    return {
      description,
      expects: 'a non-empty string',
      default: def,
      ...opts,
      parse: (raw) => raw,
    };
  },
  int(description: string, def: number | undefined, min: number, max: number): EnvVarSpec<number> {
    return {
      description,
      expects: `an integer from ${min} to ${max}`,
      default: def,
      parse: (raw) => {
        if (!/^-?\d+$/.test(raw.trim())) return undefined;
        const value = Number(raw.trim());
        return value >= min && value <= max ? value : undefined;
      },
    };
  },
  url(description: string, def: string | undefined, protocols: string[]): EnvVarSpec<string> {
    return {
      description,
      expects: `a URL with scheme ${protocols.map((p) => `${p}//`).join(' or ')}`,
      default: def,
      parse: (raw) => {
        try {
          return protocols.includes(new URL(raw).protocol) ? raw : undefined;
        } catch {
          return undefined;
        }
      },
    };
  },
  oneOf<T extends string>(
    description: string,
    def: T | undefined,
    choices: readonly T[],
  ): EnvVarSpec<T> {
    return {
      description,
      expects: `one of ${choices.join(', ')}`,
      default: def,
      parse: (raw) => choices.find((choice) => choice === raw.trim()),
    };
  },
  bool(description: string, def: boolean): EnvVarSpec<boolean> {
    return {
      description,
      expects: 'true or false',
      default: def,
      parse: (raw) => {
        const value = raw.trim().toLowerCase();
        if (['true', '1', 'yes'].includes(value)) return true;
        if (['false', '0', 'no'].includes(value)) return false;
        return undefined;
      },
    };
  },
};
