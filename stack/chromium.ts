import { execFileSync } from 'node:child_process';
import { findOnPath, isExecutable } from './temporalCli';

/** Debian's package: browsers can't be downloaded by playwright here, but the Debian mirror is reachable. */
export const CHROMIUM_PACKAGE = 'chromium';

export class ChromiumNotFoundError extends Error {
  constructor(detail: string) {
    super(
      `No Chromium found (${detail}). Set CHROMIUM_PATH to a Chromium or Chrome binary, or install ` +
        `Debian's package: \`sudo apt-get install -y ${CHROMIUM_PACKAGE}\` (\`npm run setup\` does this when run as root)`,
    );
    this.name = 'ChromiumNotFoundError';
  }
}

/**
 * The browser the UI tests drive through playwright-core: CHROMIUM_PATH, else chromium on PATH, else
 * Debian's package installed with apt-get when we are root (as on CI). Throws with the fix otherwise.
 */
export function resolveChromium(options: { explicitPath?: string; install?: boolean } = {}): string {
  if (options.explicitPath) {
    if (!isExecutable(options.explicitPath)) throw new ChromiumNotFoundError(`CHROMIUM_PATH=${options.explicitPath} is not an executable file`);
    return options.explicitPath;
  }
  const found = findOnPath('chromium') ?? findOnPath('chromium-browser') ?? findOnPath('google-chrome');
  if (found) return found;
  if (options.install === false) throw new ChromiumNotFoundError('not on PATH');
  if (process.getuid?.() !== 0 || !findOnPath('apt-get')) throw new ChromiumNotFoundError('not on PATH, and apt-get needs root');
  const aptGet = (args: string[]) => execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const install = ['install', '-y', '-q', '--no-install-recommends', CHROMIUM_PACKAGE];
  try {
    aptGet(install);
  } catch {
    // A fresh Debian image ships without package lists: fetch them once, then install.
    aptGet(['update', '-q']);
    aptGet(install);
  }
  const installed = findOnPath('chromium');
  if (!installed) throw new ChromiumNotFoundError('apt-get install finished but chromium is still not on PATH');
  return installed;
}
