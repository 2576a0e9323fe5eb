import { createServer } from 'node:net';

/**
 * Ports this process has handed out. A port is free again once `freePort` closes its probe, so
 * the OS may offer it to the next probe before its new owner (DynamoDB Local's Java, say, which
 * takes seconds to start) listens on it: two stacks started in one process (jest's global
 * setups) or two emulators of one stack would then collide. Never handing a port out twice
 * closes that race within the process.
 */
const handedOut = new Set<number>();

/** A TCP port free on 127.0.0.1 right now (the OS picks it), never one this process handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fails fast (before Java starts) when a fixed port is taken. */
export function ensurePortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is in use (set PORT to another one)`) : err),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
