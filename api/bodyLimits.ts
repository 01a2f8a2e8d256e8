import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

/**
 * How much request body the API takes, sized to the heap `npm start` gives the whole service
 * (--max-old-space-size=256, the worker's live heap in a burst being ~80 MB of it).
 */
export const BODY_LIMITS = {
  /** POST /oauth/token: `{"grant_type":"client_credentials"}`, asked before anyone is known. */
  token: 4 * 1024,
  /** Every other resource: a credential with an RSA-4096 key is ~5 KB, a config listing 1,000 account ids ~40 KB. */
  default: 64 * 1024,
  /**
   * PUT /bills/{id}: the 10,000-line target with every field m3ter writes on a line (ids, product,
   * plan, pricing, service period, two pricing bands: ~1.2 KB a line, 12 MB), with a third to spare.
   */
  bill: 16 * 1024 * 1024,
};

/**
 * Request bodies the process holds at once (received or being handled), by their declared length, or
 * the route's limit when the client streams without one. A bill of the 10,000-line target fits beside
 * the small requests; a second large one waits for the first to be answered.
 */
export const BODIES_IN_FLIGHT_BYTES = 24 * 1024 * 1024;

/** How long a request waits for room among the bodies in flight before it is answered 503. */
const ADMISSION_WAIT_MS = 30_000;

/**
 * The most heap one JSON body may take once parsed, as estimated by `jsonParseCost`. It bounds what
 * the size limit alone can't: 16 MB of `[{},{},…]` is ~340 MB of objects, while the largest real bill
 * is ~14 MB.
 */
export const MAX_PARSE_COST_BYTES = 64 * 1024 * 1024;

/**
 * An upper bound of the V8 heap JSON.parse builds from this text, from a single pass over its bytes:
 * the text itself (twice, in case it decodes to a two-byte string), 64 bytes per object or array
 * (an empty `{}` takes 64 bytes, the worst), 24 per value separator (a dictionary-mode property is
 * three words; an array element one). Braces and commas inside strings are counted too, which only
 * makes the bound safer.
 */
export function jsonParseCost(body: Buffer): number {
  let containers = 0;
  let separators = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === 0x7b || byte === 0x5b) containers++;
    else if (byte === 0x2c) separators++;
  }
  return 2 * body.length + 64 * containers + 24 * separators;
}

export class JsonTooCostlyError extends ApiError {
  constructor() {
    super(413, 'body: too many JSON values for one request (the parsed body would not fit in memory); send fewer line items or split the request');
    this.name = 'JsonTooCostlyError';
  }
}

interface Waiter {
  bytes: number;
  admit(): void;
}

/**
 * Admission by body size: before a request's body is read it reserves its bytes among
 * BODIES_IN_FLIGHT_BYTES, and gives them back once it is answered (or its connection closes). When
 * they don't fit it waits, first come first served, and after ADMISSION_WAIT_MS is answered 503 with
 * Retry-After. Without it, many concurrent large bodies, each within its route's limit, would together
 * exhaust the heap and take the worker down with the API.
 */
export function registerBodyAdmission(app: FastifyInstance, capacityBytes = BODIES_IN_FLIGHT_BYTES): void {
  let inFlight = 0;
  const queue: Waiter[] = [];

  const admitWaiting = () => {
    while (queue.length > 0 && inFlight + queue[0]!.bytes <= capacityBytes) {
      const waiter = queue.shift()!;
      inFlight += waiter.bytes;
      waiter.admit();
    }
  };

  app.addHook('preParsing', async (request, reply, payload) => {
    const bytes = Math.min(reservedBytes(request), capacityBytes);
    if (bytes === 0) return payload;
    let state: 'waiting' | 'admitted' | 'done' = 'waiting';
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    let abandon: ((error: Error) => void) | undefined;
    // Answered, timed out or closed by the client: give the bytes back, or leave the queue.
    const finish = () => {
      clearTimeout(timer);
      if (state === 'admitted') {
        inFlight -= bytes;
        admitWaiting();
      } else if (state === 'waiting' && waiter) {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        abandon?.(new Error('the client closed the request while it waited for admission'));
      }
      state = 'done';
    };
    reply.raw.once('close', finish);
    if (queue.length === 0 && inFlight + bytes <= capacityBytes) {
      inFlight += bytes;
      state = 'admitted';
      return payload;
    }
    await new Promise<void>((resolve, reject) => {
      abandon = reject;
      timer = setTimeout(() => {
        reject(busy());
        finish();
      }, ADMISSION_WAIT_MS);
      waiter = {
        bytes,
        admit: () => {
          clearTimeout(timer);
          state = 'admitted';
          resolve();
        },
      };
      queue.push(waiter);
    });
    return payload;
  });
}

/** What a request's body will hold in memory: its declared length, else (streamed) its route's limit. */
function reservedBytes(request: FastifyRequest): number {
  const limit = request.routeOptions.bodyLimit ?? BODY_LIMITS.default;
  const declared = request.headers['content-length'];
  if (declared === undefined) return request.headers['transfer-encoding'] === undefined ? 0 : limit;
  const length = Number(declared);
  // Too large: refused before a byte is read, so it holds nothing.
  if (!Number.isFinite(length) || length > limit) return 0;
  return length;
}

function busy(): ApiError {
  return new ApiError(503, 'the service is receiving too many large requests at once; try again in a few seconds', { retryAfterSeconds: 5 });
}
