import { createGate, type SlotStore } from '../../netsuite/gate';
import { DEFAULT_THROTTLING, QUICK_SEND_LIMITS, type GateSettings } from '../../netsuite/throttling';

/**
 * The gate's own logic over an in-memory slot store that counts what it is asked: when a slot a
 * request is done with goes to the next request of the same process, and when back to the store
 * where every process competes for it. (The PostgreSQL store, across processes:
 * test/e2e/concurrencyGate.test.ts.)
 */
function memoryStore(stated: number | undefined) {
  const held = new Map<number, string>();
  // Slots taken from the store and given back to it (a claim that finds every slot held takes none).
  const asked = { taken: 0, releases: 0 };
  const store: SlotStore = {
    limitOf: async () => stated,
    async claim(_account, limit, holder) {
      for (let slot = 0; slot < limit; slot++) {
        if (held.has(slot)) continue;
        held.set(slot, holder);
        asked.taken++;
        return slot;
      }
      return undefined;
    },
    async release(_account, slot, holder) {
      asked.releases++;
      if (held.get(slot) === holder) held.delete(slot);
    },
  };
  return { store, asked, held };
}

// Polls only as a safety net here: the store has no watch, so a release to the store wakes the waiters.
const settings: GateSettings = { ...DEFAULT_THROTTLING.gate, firstPollMs: 60_000, maxPollMs: 60_000 };

/** Requests one after another on one account, each holding its slot for a moment; the peak in flight. */
async function requests(gate: ReturnType<typeof createGate>, count: number): Promise<number> {
  let inFlight = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      const release = await gate('1234567');
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      await release();
    }),
  );
  return peak;
}

describe('the concurrency gate', () => {
  it('hands a slot its request is done with to the next request waiting in the process: the slot is taken from the store once and given back once for five requests', async () => {
    const { store, asked, held } = memoryStore(1);
    const peak = await requests(createGate(store, settings), 5);
    expect(peak).toBe(1);
    expect(asked).toEqual({ taken: 1, releases: 1 });
    expect(held.size).toBe(0);
  });

  it('gives the slot back to the store, where every process competes for it, once passWithinMs has gone by since its claim', async () => {
    const { store, asked } = memoryStore(1);
    const peak = await requests(createGate(store, { ...settings, passWithinMs: 0 }), 5);
    expect(peak).toBe(1);
    expect(asked).toEqual({ taken: 5, releases: 5 });
  });

  it('never passes a slot on while no credential of the account has stated its limit: the default may be above it', async () => {
    const { store, asked } = memoryStore(undefined);
    const peak = await requests(createGate(store, { ...settings, defaultLimit: 1 }), 3);
    expect(peak).toBe(1);
    expect(asked).toEqual({ taken: 3, releases: 3 });
  });

  it('a release called twice hands the slot on once: the second request alone holds it', async () => {
    const { store } = memoryStore(1);
    const gate = createGate(store, settings);
    const release = await gate('1234567');
    const second = gate('1234567');
    const third = gate('1234567');
    let thirdServed = false;
    void third.then(() => (thirdServed = true));
    await release();
    await release();
    const releaseSecond = await second;
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdServed).toBe(false);
    await releaseSecond();
    await (await third)();
  });

  it("keeps a passed slot's lease longer than passing plus the longest request, quick or scheduled", () => {
    const { gate, requestTimeoutMs } = DEFAULT_THROTTLING;
    expect(gate.leaseMs).toBeGreaterThan(gate.passWithinMs + Math.max(requestTimeoutMs, QUICK_SEND_LIMITS.requestTimeoutMs));
  });
});
