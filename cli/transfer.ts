/**
 * Byte transfers against presigned S3 URLs over node:http(s) with keep-alive: a PUT whose body
 * is streamed from a byte range of a file (never the whole file in memory), and a GET streamed
 * to a file. S3's XML errors become `StorageError`s. node:http and node:https are loaded on
 * first use (together ~20-60 ms): `media-store --help` or `ls` never pays for them.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { StorageError, storageErrorOf } from '../client/errors';

/** Read size of file streams: large enough for throughput, small enough to bound memory. */
export const READ_CHUNK_BYTES = 1024 * 1024;

const httpModule = (): typeof http => require('node:http') as typeof http;
const httpsModule = (): typeof https => require('node:https') as typeof https;

/**
 * Keep-alive connection pools, one per scheme, each made on first use: a part's PUT reuses a
 * connection a previous part opened (no TCP or TLS handshake per part).
 */
export class Agents {
  private httpAgent?: http.Agent;
  private httpsAgent?: https.Agent;

  /** `maxSockets`: connections per host, at least the most parts ever in flight. */
  constructor(private readonly maxSockets: number) {}

  get http(): http.Agent {
    this.httpAgent ??= new (httpModule().Agent)({ keepAlive: true, maxSockets: this.maxSockets });
    return this.httpAgent;
  }

  get https(): https.Agent {
    this.httpsAgent ??= new (httpsModule().Agent)({ keepAlive: true, maxSockets: this.maxSockets });
    return this.httpsAgent;
  }

  destroy(): void {
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
  }
}

export function createAgents(maxSockets: number): Agents {
  return new Agents(maxSockets);
}

export function destroyAgents(agents: Agents): void {
  agents.destroy();
}

interface PutRangeRequest {
  readonly url: string;
  /** The signed headers to send exactly (content-type, content-length, checksums…). */
  readonly headers: Readonly<Record<string, string>>;
  readonly filePath: string;
  readonly start: number;
  readonly length: number;
  readonly agents: Agents;
  /** Called with each chunk's size as it is read for sending. */
  readonly onBytes?: (bytes: number) => void;
  /** Aborts the request (its connection is closed): rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

const clientOf = (url: URL, agents: Agents): { request: typeof http.request; agent: http.Agent } =>
  url.protocol === 'https:' ? { request: httpsModule().request, agent: agents.https } : { request: httpModule().request, agent: agents.http };

async function readBody(response: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    if (size < limit) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** PUTs `length` bytes of the file from `start`; resolves with the ETag S3 returned. */
export function putFileRange(request: PutRangeRequest): Promise<{ etag: string }> {
  const url = new URL(request.url);
  const { request: send, agent } = clientOf(url, request.agents);
  const headers: Record<string, string> = { ...request.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(request.length);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, etag?: string): void => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve({ etag: etag ?? '' });
    };
    const outgoing = send(url, { method: 'PUT', headers, agent }, (response) => {
      readBody(response).then(
        (text) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            const etag = response.headers.etag;
            if (!etag) settle(new StorageError(status, 'NoETag', 'S3 returned no ETag (is the bucket CORS exposing it?)'));
            else settle(undefined, etag.replace(/"/g, ''));
          } else settle(storageErrorOf({ status }, text));
        },
        (error: unknown) => settle(error),
      );
    });
    outgoing.on('error', (error) => settle(error));
    if (request.signal) {
      const { signal } = request;
      const abort = (): void => {
        settle(signal.reason ?? new Error('aborted'));
        outgoing.destroy();
      };
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      outgoing.once('close', () => signal.removeEventListener('abort', abort));
    }
    if (request.length === 0) {
      outgoing.end();
      return;
    }
    const body = createReadStream(request.filePath, { start: request.start, end: request.start + request.length - 1, highWaterMark: READ_CHUNK_BYTES });
    body.on('data', (chunk) => request.onBytes?.((chunk as Buffer).length));
    body.on('error', (error) => {
      outgoing.destroy();
      settle(error);
    });
    body.pipe(outgoing);
  });
}

interface GetToFileRequest {
  readonly url: string;
  readonly filePath: string;
  readonly agents: Agents;
  readonly onBytes?: (bytes: number) => void;
  /** Called with the Content-Length once the answer starts. */
  readonly onSize?: (bytes: number | undefined) => void;
}

/** GETs the URL into `filePath` (created or truncated), streaming. */
export function getToFile(request: GetToFileRequest): Promise<{ bytes: number }> {
  const url = new URL(request.url);
  const { request: send, agent } = clientOf(url, request.agents);
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: 'GET', agent }, (response) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        readBody(response).then((text) => reject(storageErrorOf({ status }, text)), reject);
        return;
      }
      const length = Number(response.headers['content-length']);
      request.onSize?.(Number.isFinite(length) ? length : undefined);
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        request.onBytes?.(chunk.length);
      });
      pipeline(response, createWriteStream(request.filePath)).then(() => {
        if (Number.isFinite(length) && bytes !== length) reject(new StorageError(status, 'IncompleteBody', `received ${bytes} of ${length} bytes`));
        else resolve({ bytes });
      }, reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

interface GetFromToFileRequest {
  readonly url: string;
  readonly filePath: string;
  readonly agents: Agents;
  /** Bytes of the file already held: asked for from here on (`Range`), appended when the server honours it. */
  readonly start: number;
  /** Each chunk as it arrives, before it is written (to hash it while streaming). */
  readonly onChunk: (chunk: Buffer) => void;
  /** Test knob (MEDIA_STORE_DEBUG_GET_DELAY_MS): wait this long after each chunk, so a run can be killed mid-file. */
  readonly chunkDelayMs?: number;
}

/**
 * GETs the URL from byte `start` on into `filePath`, streaming: a 206 is appended to the bytes
 * held; a 200 (the server ignored the Range) replaces them, and resolves `restarted` so the
 * caller starts its hash again. Rejects on an incomplete body.
 */
export function getFromToFile(request: GetFromToFileRequest): Promise<{ bytes: number; restarted: boolean }> {
  const url = new URL(request.url);
  const { request: send, agent } = clientOf(url, request.agents);
  const headers: Record<string, string> = request.start > 0 ? { range: `bytes=${request.start}-` } : {};
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: 'GET', agent, headers }, (response) => {
      const status = response.statusCode ?? 0;
      if (status !== 200 && status !== 206) {
        readBody(response).then((text) => reject(storageErrorOf({ status }, text)), reject);
        return;
      }
      const restarted = request.start > 0 && status === 200;
      const length = Number(response.headers['content-length']);
      let bytes = 0;
      const delay = request.chunkDelayMs ?? 0;
      async function* tap(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
        for await (const chunk of source) {
          bytes += chunk.length;
          request.onChunk(chunk);
          yield chunk;
          if (delay > 0) await new Promise((wake) => setTimeout(wake, delay));
        }
      }
      const flags = request.start > 0 && status === 206 ? 'a' : 'w';
      pipeline(response, tap, createWriteStream(request.filePath, { flags })).then(() => {
        if (Number.isFinite(length) && bytes !== length) reject(new StorageError(status, 'IncompleteBody', `received ${bytes} of ${length} bytes`));
        else resolve({ bytes, restarted });
      }, reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
