/**
 * Checksums off the main thread, one job at a time: `{blob, algorithm?, stream?}` in, `{sha256}`
 * (the base64 digest, whatever the algorithm) or `{error}` out.
 * - A part of an upload (`algorithm: 'CRC32C'`, the clients' `PART_CHECKSUM_ALGORITHM`): read
 *   whole and run through contract/crc32c.ts (as fast as WebAssembly here, and no WebAssembly
 *   to instantiate).
 * - A part of an upload created with SHA256 (`stream` absent): read whole and digested by WebCrypto.
 * - A whole file (`stream: true`): read as a stream and hashed incrementally (hash-wasm: WebCrypto
 *   has no incremental digest), so memory stays at the stream's chunks whatever the file's size.
 */
import { createSHA256 } from 'hash-wasm';
import { crc32cOf } from '../../../contract/crc32c';
import type { PartChecksumAlgorithm } from '../../../contract/multipart';

interface HashRequest {
  readonly blob: Blob;
  readonly stream?: boolean;
  /** A part's checksum in this algorithm (else SHA-256). */
  readonly algorithm?: PartChecksumAlgorithm;
}

const scope = self as unknown as { onmessage: ((event: MessageEvent<HashRequest>) => void) | null; postMessage(message: unknown): void };

const base64 = (digest: Uint8Array): string => {
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
};

async function streamed(blob: Blob): Promise<Uint8Array> {
  const hasher = await createSHA256();
  hasher.init();
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
  }
  return hasher.digest('binary');
}

/** Read whole, digested by WebCrypto. */
const whole = (blob: Blob): Promise<Uint8Array> => blob.arrayBuffer().then((buffer) => crypto.subtle.digest('SHA-256', buffer)).then((d) => new Uint8Array(d));

/** Where WebAssembly cannot run (a stricter CSP, an old browser), a file this small is read whole instead. */
const WHOLE_FALLBACK_MAX_BYTES = 64 * 1024 * 1024;

scope.onmessage = (event) => {
  const { blob, stream, algorithm } = event.data;
  const digest: Promise<string> =
    algorithm === 'CRC32C'
      ? blob.arrayBuffer().then((buffer) => crc32cOf(new Uint8Array(buffer)))
      : (stream ? streamed(blob).catch((error: unknown) => (blob.size <= WHOLE_FALLBACK_MAX_BYTES ? whole(blob) : Promise.reject(error))) : whole(blob)).then(base64);
  digest.then((sha256) => scope.postMessage({ sha256 })).catch((error: unknown) => scope.postMessage({ error: String(error) }));
};
