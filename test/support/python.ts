import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectDir } from '../../stack/projectDir';

/**
 * A project-local Python venv (.tools/venv) with the test-only tools of test/python/requirements.txt:
 * m3ter's official SDK and schemathesis. Re-installed only when the requirements change.
 */
export function ensurePythonTools(): string {
  const root = projectDir();
  const venv = path.join(root, '.tools', 'venv');
  const python = path.join(venv, 'bin', 'python');
  const requirements = path.join(root, 'test', 'python', 'requirements.txt');
  const digest = crypto.createHash('sha256').update(fs.readFileSync(requirements)).digest('hex');
  const marker = path.join(venv, '.requirements-sha256');
  if (fs.existsSync(python) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === digest) return python;
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], { stdio: ['ignore', 'ignore', 'inherit'] });
  fs.writeFileSync(marker, digest);
  return python;
}
