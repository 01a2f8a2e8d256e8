import net from 'node:net';
import { freePort } from '../../stack/freePort';

describe('freePort', () => {
  it('gives a port below the ephemeral range (where outgoing connections and listen(0) take theirs) that its caller can bind', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
