import crypto from 'node:crypto';

export type SigningAlgorithm = 'PS256' | 'ES256' | 'ES384' | 'ES512';

export class InvalidPrivateKeyError extends Error {
  constructor(reason: string) {
    super(`privateKey: ${reason}. Use the private.pem made by \`openssl req -x509 -newkey rsa:4096 -sha256 -keyout private.pem -out public.pem -nodes -days 730\` (RSA 3072/4096 or EC P-256/P-384/P-521), base64-encoded for the API.`);
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
    throw new InvalidPrivateKeyError('is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----"), or it is encrypted with a passphrase');
  }
  const details = key.asymmetricKeyDetails ?? {};
  const fingerprint = crypto.createHash('sha256').update(crypto.createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('hex');
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits < 3072) throw new InvalidPrivateKeyError(`RSA key of ${bits} bits is too short: NetSuite requires 3072 or 4096`);
    return { keyType: `RSA-${bits}`, algorithm: 'PS256', fingerprint };
  }
  if (key.asymmetricKeyType === 'ec') {
    const algorithm = CURVES[details.namedCurve ?? ''];
    if (!algorithm) throw new InvalidPrivateKeyError(`EC curve ${details.namedCurve} is not accepted: use P-256, P-384 or P-521`);
    return { keyType: `EC-${details.namedCurve}`, algorithm, fingerprint };
  }
  throw new InvalidPrivateKeyError(`${key.asymmetricKeyType} keys are not accepted`);
}
