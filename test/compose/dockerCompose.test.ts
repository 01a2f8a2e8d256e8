import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectDir } from '../../stack/projectDir';

const run = promisify(execFile);

function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Skipped only where the Go toolchain is missing: the check is compose-go, the loader of `docker compose`.
const maybe = hasGo() ? it : it.skip;

describe('docker-compose.yml', () => {
  maybe('loads with compose-go (what `docker compose config` uses): schema, interpolation and references hold', async () => {
    const root = projectDir();
    const binary = path.join(root, '.tools', 'compose-check');
    await run('go', ['build', '-o', binary, '.'], { cwd: __dirname, timeout: 600_000 });
    const ok = await run(binary, [path.join(root, 'docker-compose.yml')], { env: { ...process.env, CREDENTIALS_ENCRYPTION_KEY: 'c2VjcmV0LWtleS1mb3ItY29tcG9zZS1jaGVjay0zMmI=' } });
    expect(ok.stdout).toContain('ok: 6 services');
    // Without the encryption key the file refuses to start the service, saying how to make one.
    const refused = await run(binary, [path.join(root, 'docker-compose.yml')], { env: { ...process.env, CREDENTIALS_ENCRYPTION_KEY: '' } }).catch((error: { stdout: string }) => error);
    expect(refused.stdout).toContain('openssl rand -base64 32');
  }, 600_000);
});
