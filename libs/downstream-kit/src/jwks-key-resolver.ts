/** Key lookup for JWKS mode. jose's remote JWKS does the caching, the refetch on an unknown `kid`
 *  (at most once per cooldown) and the bounded fetch; this wrapper adds what it lacks:
 *  - errors typed by whose fault they are: an unknown key is the token's (401), a failed fetch is
 *    ours (503);
 *  - a backoff after a failed fetch. jose records nothing when a fetch fails, so during a gateway
 *    outage every request (or every forged `kid`) would start a new fetch, a retry storm against
 *    the service that is already struggling. Within the backoff, keys come from the last good
 *    JWKS and nothing goes on the network. */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
  type KeyLike,
} from 'jose';
import { TokenRejectedError, TokenRejectionReason } from './token-rejected.exception';

export interface JwksKeyResolverOptions {
  readonly url: URL;
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
}

type LocalResolver = ReturnType<typeof createLocalJWKSet>;

/** Short enough that an outage ends for us within a second of the gateway coming back. */
const MAX_FAILURE_BACKOFF_MS = 1000;

const unavailable = (cause: unknown): TokenRejectedError =>
  new TokenRejectedError(TokenRejectionReason.JwksUnavailable, 'the JWKS could not be fetched', {
    cause,
  });

const unknownKey = (cause: unknown): TokenRejectedError =>
  new TokenRejectedError(TokenRejectionReason.UnknownKey, 'no JWKS key matches the token', {
    cause,
  });

const isNoKeyError = (error: unknown): boolean =>
  error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys;

export function createJwksKeyResolver(options: JwksKeyResolverOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(options.url, {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
  });
  const failureBackoffMs = Math.min(options.cooldownMs, MAX_FAILURE_BACKOFF_MS);
  let failedAt: number | undefined;
  let snapshot: { readonly json: string; readonly resolve: LocalResolver } | undefined;

  const fromLastGoodJwks = async (
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<KeyLike> => {
    const jwks = remote.fresh ? remote.jwks() : undefined;
    if (jwks === undefined) throw unavailable(undefined);
    // jwks() returns a copy each call; rebuild the local set only when the content changed.
    const json = JSON.stringify(jwks);
    if (snapshot?.json !== json) snapshot = { json, resolve: createLocalJWKSet(jwks) };
    try {
      return await snapshot.resolve(header, token);
    } catch (error) {
      if (!isNoKeyError(error)) throw unavailable(error);
      // Still cooling down: jose would not have refetched either, so the key is truly unknown.
      // Otherwise a fetch might have found it, and we cannot tell while the gateway is down.
      throw remote.coolingDown ? unknownKey(error) : unavailable(error);
    }
  };

  return async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> => {
    if (failedAt !== undefined && Date.now() - failedAt < failureBackoffMs) {
      return fromLastGoodJwks(header, token);
    }
    try {
      const key = await remote(header, token);
      failedAt = undefined;
      return key;
    } catch (error) {
      if (isNoKeyError(error)) throw unknownKey(error);
      // Anything else came from fetching or reading the JWKS (refused, timeout, non-200, not
      // JSON, not a JWKS, a key that does not import): not the client's fault.
      failedAt = Date.now();
      throw unavailable(error);
    }
  };
}
