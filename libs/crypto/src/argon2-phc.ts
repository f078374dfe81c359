/** Reads the parameters of an argon2 PHC string, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`,
 *  without trusting it: anything not of that shape yields undefined. Parameter order is free (the
 *  reference library writes m,t,p; node-argon2 0.45 writes m,p,t). */

export type Argon2Variant = 'argon2d' | 'argon2i' | 'argon2id';

export interface Argon2HashInfo {
  readonly variant: Argon2Variant;
  /** 19 (0x13) for every hash written since argon2 1.3; absent in older strings, meaning 16. */
  readonly version: number;
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

const B64 = '[A-Za-z0-9+/]+';
const PHC = new RegExp(
  `^\\$(argon2id|argon2i|argon2d)(?:\\$v=(\\d{1,3}))?\\$([^$]+)\\$${B64}\\$${B64}$`,
);
const PARAM = new RegExp(`^(?:([mtp])=(\\d{1,10})|data=${B64})$`);
const VARIANTS: Readonly<Record<string, Argon2Variant>> = {
  argon2d: 'argon2d',
  argon2i: 'argon2i',
  argon2id: 'argon2id',
};
const LEGACY_VERSION = 16;

export function parseArgon2Hash(hash: string): Argon2HashInfo | undefined {
  const [, variantText = '', version, paramText = ''] = PHC.exec(hash) ?? [];
  const variant = VARIANTS[variantText];
  const params = parseParams(paramText);
  if (!variant || !params) return undefined;
  return {
    variant,
    version: version === undefined ? LEGACY_VERSION : Number(version),
    ...params,
  };
}

function parseParams(
  text: string,
): Pick<Argon2HashInfo, 'memoryCost' | 'timeCost' | 'parallelism'> | undefined {
  const costs = new Map<string, number>();
  for (const field of text.split(',')) {
    const match = PARAM.exec(field);
    if (!match) return undefined;
    const [, name, value] = match;
    if (name === undefined || value === undefined) continue; // the optional data=... field
    if (costs.has(name)) return undefined;
    costs.set(name, Number(value));
  }
  const memoryCost = costs.get('m');
  const timeCost = costs.get('t');
  const parallelism = costs.get('p');
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) {
    return undefined;
  }
  return { memoryCost, timeCost, parallelism };
}
