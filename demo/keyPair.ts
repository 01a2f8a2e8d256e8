import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Makes the certificate/key pair a NetSuite M2M integration needs, with the same openssl invocation as the
 * m3ter setup guide, so the demo exercises exactly what a user would upload.
 */
const run = promisify(execFile);

export type KeyKind = 'rsa4096' | 'ec256';

export interface KeyPairOptions {
  dir: string;
  /** rsa4096 matches the m3ter guide; ec256 is much faster to generate, which suits tests. */
  kind?: KeyKind;
  days?: number;
}

export interface GeneratedKeyPair {
  privateKeyPath: string;
  certificatePath: string;
  privateKeyPem: string;
  certificatePem: string;
}

export const CERTIFICATE_SUBJECT = '/CN=m3ter-netsuite-demo';

const NEW_KEY_ARGS: Record<KeyKind, string[]> = {
  rsa4096: ['-newkey', 'rsa:4096'],
  ec256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
};

async function findOpenssl(): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'openssl');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return '/usr/bin/openssl';
}

export async function generateKeyPair({ dir, kind = 'rsa4096', days = 730 }: KeyPairOptions): Promise<GeneratedKeyPair> {
  await mkdir(dir, { recursive: true });
  const privateKeyPath = path.join(dir, 'm3ter-key.pem');
  const certificatePath = path.join(dir, 'm3ter-cert.pem');
  const openssl = await findOpenssl();
  const args = ['req', '-x509', ...NEW_KEY_ARGS[kind], '-sha256', '-keyout', privateKeyPath, '-out', certificatePath];
  args.push('-nodes', '-days', String(days), '-subj', CERTIFICATE_SUBJECT);
  try {
    await run(openssl, args, { cwd: dir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${openssl} ${args.join(' ')} failed: ${stderr.trim() || (error as Error).message}`);
  }
  // The key is unencrypted (-nodes), so at least keep it unreadable to other users.
  await chmod(privateKeyPath, 0o600);
  const [privateKeyPem, certificatePem] = await Promise.all([readFile(privateKeyPath, 'utf8'), readFile(certificatePath, 'utf8')]);
  return { privateKeyPath, certificatePath, privateKeyPem, certificatePem };
}
