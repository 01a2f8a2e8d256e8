import crypto from 'node:crypto';

export type SigningAlgorithm = 'PS256' | 'ES256' | 'ES384' | 'ES512';

/** The guide's command; its two files are the names every message uses. */
export const KEY_PAIR_COMMAND = 'openssl req -x509 -newkey rsa:4096 -sha256 -keyout m3ter-key.pem -out m3ter-cert.pem -nodes -days 730';

/**
 * A private key NetSuite would not take. `reason` is a whole sentence about the file the user chose;
 * the message adds which file the guide means, in its own file names (m3ter-key.pem, m3ter-cert.pem).
 */
export class InvalidPrivateKeyError extends Error {
  constructor(reason: string) {
    super(`privateKey: ${reason} Choose m3ter-key.pem, the private key made by \`${KEY_PAIR_COMMAND}\` (RSA 3072/4096 or EC P-256/P-384/P-521).`);
    this.name = 'InvalidPrivateKeyError';
  }
}

export interface PrivateKeyInfo {
  keyType: string;
  algorithm: SigningAlgorithm;
  /** SHA-256 of the public key (SPKI DER), safe to show: identifies the key without revealing it. */
  fingerprint: string;
}

const CURVES: Record<string, SigningAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * Checks a PEM private key is one NetSuite accepts and says which JWT algorithm signs with it.
 * RSA signs with PS256 (RSASSA-PSS): NetSuite no longer lists RS256.
 */
export function inspectPrivateKey(pem: string): PrivateKeyInfo {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new InvalidPrivateKeyError('This file is not a PEM private key (one starting "-----BEGIN PRIVATE KEY-----"), or it is protected by a passphrase.');
  }
  const details = key.asymmetricKeyDetails ?? {};
  const fingerprint = crypto.createHash('sha256').update(crypto.createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('hex');
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits < 3072) throw new InvalidPrivateKeyError(`This RSA key has ${bits} bits, too short for NetSuite, which requires 3072 or 4096.`);
    return { keyType: `RSA-${bits}`, algorithm: 'PS256', fingerprint };
  }
  if (key.asymmetricKeyType === 'ec') {
    const algorithm = CURVES[details.namedCurve ?? ''];
    if (!algorithm) throw new InvalidPrivateKeyError(`This EC key is on curve ${details.namedCurve}, which NetSuite does not accept: it takes P-256, P-384 or P-521.`);
    return { keyType: `EC-${details.namedCurve}`, algorithm, fingerprint };
  }
  throw new InvalidPrivateKeyError(`This is an ${key.asymmetricKeyType} key, which NetSuite does not accept.`);
}
