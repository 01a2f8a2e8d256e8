import { connectDatabase, type Db } from '../../db/connect';
import { createPostgresGate } from '../../db/leases';
import { migrateToLatest } from '../../db/migrate';
import { withCallLimits } from '../../netsuite/callLimits';
import { ConcurrencySlotTimeoutError, type Gate } from '../../netsuite/gate';
import { createTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';

/**
 * The PostgreSQL gate in front of every NetSuite request, with two gates standing for two worker
 * processes: the limit holds across them, a freed slot reaches a waiter elsewhere through NOTIFY, and
 * neither a waiter that gives up nor a process that dies keeps a slot.
 */
let db: Db;
let databaseUrl: string;
const gates: Gate[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  db = connectDatabase(databaseUrl);
  await migrateToLatest(db);
});

afterAll(async () => {
  for (const gate of gates) await gate.close();
  await db?.destroy();
});

function gate(options: Parameters<typeof createPostgresGate>[1] = {}): Gate {
  const created = createPostgresGate(db, { databaseUrl, ...options });
  gates.push(created);
  return created;
}

const work = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails a test whose promise never settles, instead of hanging it; not a timing assertion. */
async function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the NetSuite concurrency gate', () => {
  it('never lets two processes together exceed the limit, and serves every request', async () => {
    const processes = [gate({ defaultLimit: 3 }), gate({ defaultLimit: 3 })];
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const release = await processes[i % 2]!('1110001');
        inFlight++;
        peak = Math.max(peak, inFlight);
        await work(5 + (i % 4) * 5);
        inFlight--;
        await release();
      }),
    );
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(await db.selectFrom('netsuiteLease').selectAll().where('accountId', '=', '1110001').execute()).toEqual([]);
  });

  it("hands a slot freed in one process to a waiter in another as soon as it is freed, not at the waiter's next poll", async () => {
    // Polling every ten minutes: only the NOTIFY can wake the waiter in time.
    const patient = gate({ defaultLimit: 1, firstPollMs: 600_000, maxPollMs: 600_000 });
    const holder = gate({ defaultLimit: 1 });
    const release = await holder('1110002');
    let served = false;
    const waiting = patient('1110002').then((next) => {
      served = true;
      return next;
    });
    await work(200);
    expect(served).toBe(false);
    await release();
    const next = await within(waiting, 'the waiter being served');
    await next();
  });

  it('leaves no slot behind when a waiter gives up', async () => {
    const holder = gate({ defaultLimit: 1 });
    const hasty = gate({ defaultLimit: 1, maxWaitMs: 300 });
    const release = await holder('1110003');
    await expect(hasty('1110003')).rejects.toBeInstanceOf(ConcurrencySlotTimeoutError);
    await release();
    await eventually(() => db.selectFrom('netsuiteLease').selectAll().where('accountId', '=', '1110003').execute(), (rows) => rows.length === 0, 'every slot free');
    const again = await within(hasty('1110003'), 'a new request being served');
    await again();
  });

  it('a call with a shorter slot wait (the quick send) gives up by it, while a patient waiter beside it is served', async () => {
    const shared = gate({ defaultLimit: 1 });
    const release = await shared('1110005');
    const patient = shared('1110005');
    // The gate's own wait is 60 s: giving up before the 20 s guard is the call's limit at work.
    await within(expect(withCallLimits({ slotWaitMs: 200 }, () => shared('1110005'))).rejects.toBeInstanceOf(ConcurrencySlotTimeoutError), 'the quick waiter giving up');
    await release();
    await (await within(patient, 'the patient waiter being served'))();
  });

  it("frees a dead process's slot when its lease runs out", async () => {
    const dying = gate({ defaultLimit: 1, leaseMs: 500 });
    await dying('1110004'); // never released: the process "died" holding it
    const survivor = gate({ defaultLimit: 1 });
    const release = await within(survivor('1110004'), 'the expired slot being taken over');
    await release();
  });
});
