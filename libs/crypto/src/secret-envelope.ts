/** The ciphertext string SecretBox produces: `v1.<kid>.<base64url iv>.<base64url ciphertext+tag>`.
 *  Version and key id are readable so rotation can find what to re-encrypt without a key; they are
 *  also authenticated, being prefixed to the associated data (see envelopeAad). */
import { GCM_IV_BYTES, GCM_TAG_BYTES } from './aes-gcm';
import { DecryptionError, DecryptionFailureReason } from './crypto.exception';
import { KEY_ID_PATTERN } from './key-spec';
import { decodeBase64UrlStrict } from './strict-base64';

export const ENVELOPE_VERSION = 'v1';
const VERSION_LIKE = /^v[0-9]{1,4}$/;

export interface SecretEnvelope {
  readonly kid: string;
  readonly iv: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  readonly sealed: Buffer;
}

export function formatEnvelope({ kid, iv, sealed }: SecretEnvelope): string {
  return [ENVELOPE_VERSION, kid, iv.toString('base64url'), sealed.toString('base64url')].join('.');
}

/** GCM associated data: `v1.<kid>.` then the caller's associated data (UTF-8). The kid cannot
 *  contain '.', so the split between header and caller data is unambiguous. */
export function envelopeAad(kid: string, associatedData: string): Buffer {
  return Buffer.from(`${ENVELOPE_VERSION}.${kid}.${associatedData}`, 'utf8');
}

/** Parses the layout only; authenticity is checked when the body is opened. */
export function parseEnvelope(text: string): SecretEnvelope {
  const fields = text.split('.');
  const [version, kid, ivText, sealedText] = fields;
  if (version !== ENVELOPE_VERSION) {
    throw version !== undefined && VERSION_LIKE.test(version)
      ? new DecryptionError(
          DecryptionFailureReason.UnsupportedVersion,
          `ciphertext version "${version}" is not supported (expected "${ENVELOPE_VERSION}")`,
        )
      : malformed('it does not start with a version prefix');
  }
  if (
    fields.length !== 4 ||
    kid === undefined ||
    ivText === undefined ||
    sealedText === undefined
  ) {
    throw malformed(`expected 4 dot-separated fields, got ${fields.length}`);
  }
  if (!KEY_ID_PATTERN.test(kid)) throw malformed('the key id field is invalid');
  const iv = decodeBase64UrlStrict(ivText);
  if (!iv || iv.length !== GCM_IV_BYTES) throw malformed(`the IV is not ${GCM_IV_BYTES} bytes`);
  const sealed = decodeBase64UrlStrict(sealedText);
  if (!sealed) throw malformed('the body is not base64url');
  if (sealed.length < GCM_TAG_BYTES) throw malformed('the body is shorter than the GCM tag');
  return { kid, iv, sealed };
}

function malformed(detail: string): DecryptionError {
  return new DecryptionError(DecryptionFailureReason.Malformed, `malformed ciphertext: ${detail}`);
}
