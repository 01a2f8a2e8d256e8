import net from 'node:net';

// Below the kernel's ephemeral range (Linux 32768–60999, macOS 49152–65535), where every outgoing
// connection and every `listen(0)` takes its port. A port chosen from inside it could be taken by one of
// those between this check and the caller's bind; CI saw a dev server fail on "address already in use"
// that way while three chaos suites ran beside each other.
const LOW = 20_000;
const HIGH = 32_767;

/** A TCP port free right now on the loopback interface, and one nothing else takes unasked before its caller binds it. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await isFree(port)) return port;
  }
  return listenOn(0);
}

async function isFree(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch {
    return false;
  }
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
