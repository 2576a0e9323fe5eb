import type { IncomingMessage } from 'node:http';

/** A request's whole body, or undefined once it passes `limit` bytes (the emulators answer 413). */
export async function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
