import { createServer } from 'node:net';
import { freePort } from '../../../local/ports';

describe('freePort', () => {
  it('never hands out the same port twice in one process, even once the earlier one is free again', async () => {
    // Act: many probes in a row; each probe's socket is closed before the next, so the OS may offer a port again.
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    // Assess
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('hands out a port that can be listened on at once', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
