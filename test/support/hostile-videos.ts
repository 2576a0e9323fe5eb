/**
 * What a hostile uploader gives the video decoder: playlists and file lists disguised as
 * videos, which name URLs and local files for ffmpeg to fetch. And the instruments that show
 * whether anything was fetched: an HTTP server that records every request made to it, and a
 * named pipe that tells whether anybody opened it (a read of any file would be an open).
 */
import { execFileSync } from 'node:child_process';
import { constants, promises as fs, openSync, closeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingServer {
  readonly origin: string;
  /** Every request path, in order. */
  readonly requests: string[];
  /** Serves `body` at `path`, honouring `Range: bytes=a-b` as S3 does. */
  serve(path: string, body: Buffer): void;
  close(): Promise<void>;
}

/** An HTTP server on a loopback port that records every request; unknown paths answer 404. */
export async function recordingServer(): Promise<RecordingServer> {
  const bodies = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const body = bodies.get(path);
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (range === null) {
      response.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' }).end(body);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] === '' ? body.length - 1 : Number(range[2]), body.length - 1);
    if (start >= body.length) {
      response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    response.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${body.length}`, 'accept-ranges': 'bytes' }).end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    serve: (path, body) => void bodies.set(path, body),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface FifoWatch {
  readonly path: string;
  /** Whether anybody opened the pipe to read it (so far); also releases it. */
  openedAndClose(): Promise<boolean>;
}

/**
 * A named pipe at `path`: a writer waits on it, and its open completes only when a reader
 * (ffmpeg following a name it was given) opens the pipe. Nothing is ever written to it.
 */
export function fifoWatch(path: string): FifoWatch {
  execFileSync('mkfifo', [path]);
  let opened = false;
  const writer = fs.open(path, 'w').then((handle) => {
    opened = true;
    return handle;
  });
  return {
    path,
    async openedAndClose() {
      // A reader that opened it a moment ago has completed the writer's open by now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen = opened;
      // Release the waiting writer with a reader of our own.
      const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      await (await writer).close();
      closeSync(reader);
      return seen;
    },
  };
}

/** An HLS playlist (what ffmpeg's `hls` demuxer opens) naming one segment. */
export function hlsPlaylist(segment: string): Buffer {
  return Buffer.from(`#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\n${segment}\n#EXT-X-ENDLIST\n`);
}

/** An ffconcat list (ffmpeg's `concat` demuxer) naming files and URLs to read one after another. */
export function ffconcatList(entries: readonly string[]): Buffer {
  return Buffer.from(`ffconcat version 1.0\n${entries.map((entry) => `file '${entry}'\n`).join('')}`);
}
