/**
 * The raw client of `bench:upload`, run as its own process (bundled by the bench with esbuild,
 * Node's modules only) so it is scheduled like the CLI it is compared with: reads the whole
 * file into memory, then PUTs the presigned parts `parallel` at a time over keep-alive sockets
 * and prints `{ seconds, cpuSeconds, etags }` — only the PUTs are timed.
 *
 *   node raw-client.js <job.json>   job: { file, size, partSize, parallel, parts: [{ partNumber, url, headers }] }
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

interface Job {
  readonly file: string;
  readonly size: number;
  readonly partSize: number;
  readonly parallel: number;
  readonly parts: readonly { readonly partNumber: number; readonly url: string; readonly headers: Readonly<Record<string, string>> }[];
}

function put(agent: http.Agent, url: string, headers: Readonly<Record<string, string>>, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'PUT', agent, headers: { ...headers, 'content-length': String(body.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`PUT ${response.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
        else resolve(String(response.headers.etag ?? '').replace(/"/g, ''));
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function main(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as Job;
  const body = readFileSync(job.file);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.parallel });
  const etags: { partNumber: number; etag: string }[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.parallel }, async () => {
      while (next < job.parts.length) {
        const part = job.parts[next++]!;
        const offset = (part.partNumber - 1) * job.partSize;
        etags.push({ partNumber: part.partNumber, etag: await put(agent, part.url, part.headers, body.subarray(offset, Math.min(job.size, offset + job.partSize))) });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, etags: etags.sort((a, b) => a.partNumber - b.partNumber) }));
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
