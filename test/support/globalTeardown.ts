import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __testStack?: { dataDir: string; stops: Array<() => Promise<void>> } }).__testStack;
  if (!stack) return;
  for (const stop of stack.stops.reverse()) await stop();
  fs.rmSync(stack.dataDir, { recursive: true, force: true });
}
