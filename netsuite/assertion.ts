import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { inspectPrivateKey } from './privateKey';

export interface AssertionInput {
  privateKeyPem: string;
  certificateId: string;
  clientId: string;
  tokenUrl: string;
  now: Date;
  /** NetSuite allows at most 3600; shorter limits the damage of a leaked assertion. */
  lifetimeSeconds?: number;
}

/**
 * The signed JWT that stands in for a client secret in NetSuite's OAuth 2.0 client-credentials (M2M)
 * flow. Scope is sent as an array, as Oracle's own sample does.
 */
export async function signClientAssertion(input: AssertionInput): Promise<string> {
  const { algorithm } = inspectPrivateKey(input.privateKeyPem);
  const key = crypto.createPrivateKey(input.privateKeyPem);
  const iat = Math.floor(input.now.getTime() / 1000);
  return new SignJWT({ scope: ['rest_webservices'] })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT', kid: input.certificateId })
    .setIssuer(input.clientId)
    .setAudience(input.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (input.lifetimeSeconds ?? 300))
    .setJti(crypto.randomUUID())
    .sign(key);
}
