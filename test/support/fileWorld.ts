import { generateKeyPair, type GeneratedKeyPair } from '../../demo/keyPair';
import { startApi, type ApiWorld } from './api';
import { createHarness, type Harness } from './harness';

/**
 * The world most test files share: a harness (its own database, worker and emulator on the shared
 * stack), the HTTP API over it and an EC key pair for credentials — made before the file's first test,
 * closed after its last. The three are usable at the top of the file as if they were there already:
 *
 *   const { h, api, keyPair } = useFileWorld();
 *
 * Each is a stand-in whose every property is the real object's once beforeAll has made it; touching
 * one before then (at import time) throws, naming it. What a file starts on top of the harness (a
 * service process, a browser) it hands to `stopBeforeClosing`, so it stops while its database is still
 * there (Jest runs a file's afterAll hooks in the order they are declared, this one first).
 */
export function useFileWorld(options: { harness?: Parameters<typeof createHarness>[0]; timeoutMs?: number } = {}): {
  h: Harness;
  api: ApiWorld;
  keyPair: GeneratedKeyPair;
  stopBeforeClosing(stop: () => Promise<unknown>): void;
} {
  const h = late<Harness>('the harness');
  const api = late<ApiWorld>('the API');
  const keyPair = late<GeneratedKeyPair>('the key pair');
  const stops: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    const harness = await createHarness(options.harness);
    h.set(harness);
    api.set(await startApi(harness));
    keyPair.set(await generateKeyPair({ dir: harness.tmpDir, kind: 'ec256' }));
  }, options.timeoutMs);
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await api.current?.close();
    await h.current?.close();
  });
  return { h: h.proxy, api: api.proxy, keyPair: keyPair.proxy, stopBeforeClosing: (stop) => void stops.push(stop) };
}

/** A value made later (in beforeAll), with a stand-in that reads through to it. */
function late<T extends object>(name: string): { proxy: T; current: T | undefined; set(value: T): void } {
  const slot: { current: T | undefined } = { current: undefined };
  const target = (): T => {
    if (!slot.current) throw new Error(`${name} is made in beforeAll: use it inside a test or a hook`);
    return slot.current;
  };
  const proxy = new Proxy({} as T, {
    get: (_stub, key) => {
      const value = Reflect.get(target(), key) as unknown;
      // Methods run on the real object, so private state and `this` behave as without the stand-in.
      return typeof value === 'function' ? value.bind(target()) : value;
    },
    set: (_stub, key, value) => Reflect.set(target(), key, value),
    has: (_stub, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_stub, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
  return {
    proxy,
    get current() {
      return slot.current;
    },
    set: (value) => {
      slot.current = value;
    },
  };
}
