import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy between the service and its m3ter side that does what a bad day does, on request:
 * answers a request with a status of its choosing (429 with Retry-After, 503), drops the connection
 * without an answer, or answers 401 as an expired token would. It can also hold a request until the
 * test lets it go, to act while the mirror waits for a page. Everything else is passed through.
 */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** What the client got: a status, or 'dropped'. */
  outcome: number | 'dropped';
  at: number;
}

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'drop' }
  /** A 401 with m3ter's words for an expired token: the client must fetch a new one and ask again. */
  | { kind: 'expireToken' };

type Match = (request: { method: string; url: string }) => boolean;

export interface Hold {
  /** Resolves when the first matching request arrives (it is then held). */
  reached: Promise<SeenRequest>;
  /** Lets the held request (and any later match) through. */
  release(): void;
}

export interface FaultProxy {
  url: string;
  requests: SeenRequest[];
  /** The next `times` requests that match get this fault instead of an answer from the m3ter side. */
  inject(fault: Fault, match?: Match, times?: number): void;
  /** Holds the first request that matches until `release`. */
  hold(match: Match): Hold;
  close(): Promise<void>;
}

export const path = (prefix: string): Match => (request) => new URL(request.url, 'http://x').pathname.includes(prefix);

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const faults: { fault: Fault; match: Match; left: number }[] = [];
  const holds: { match: Match; arrived: (seen: SeenRequest) => void; released: Promise<void>; open: boolean }[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server = http.createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const seen: SeenRequest = { method, url, outcome: 0, at: Date.now() };
    requests.push(seen);
    const hold = holds.find((h) => !h.open && h.match({ method, url }));
    if (hold) {
      hold.open = true;
      hold.arrived(seen);
      await hold.released;
    }
    const entry = faults.find((f) => f.left > 0 && f.match({ method, url }));
    if (entry) {
      entry.left -= 1;
      const { fault } = entry;
      if (fault.kind === 'drop') {
        seen.outcome = 'dropped';
        req.socket.destroy();
        return;
      }
      const status = fault.kind === 'status' ? fault.status : 401;
      const body = fault.kind === 'status' ? (fault.body ?? { message: `injected ${fault.status}` }) : { message: 'invalid or expired bearer token: POST /oauth/token for a new one' };
      seen.outcome = status;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...(fault.kind === 'status' ? fault.headers : {}) });
      res.end(JSON.stringify(body));
      return;
    }
    const upstream = http.request({ host: target.hostname, port: target.port, method, path: url, headers: { ...req.headers, host: target.host } }, (answer) => {
      seen.outcome = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      seen.outcome = 'dropped';
      req.socket.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(fault, match = () => true, times = 1) {
      faults.push({ fault, match, left: times });
    },
    hold(match) {
      let arrived!: (seen: SeenRequest) => void;
      let release!: () => void;
      const reached = new Promise<SeenRequest>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ match, arrived, released, open: false });
      return { reached, release };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
