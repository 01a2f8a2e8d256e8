/**
 * Waits for a condition the system reaches asynchronously (a run becoming WAITING, say), checking it
 * repeatedly; fails with the last observed value. Not a timing assertion: the deadline only bounds a
 * broken test.
 */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen; last seen: ${JSON.stringify(last)}`);
}
