/**
 * SHA-256 off the main thread, one job at a time: `{blob}` in, `{sha256}` (base64) or `{error}` out.
 * A part (`stream` absent) is read whole and digested by WebCrypto; a whole file (`stream: true`)
 * is read as a stream and hashed incrementally (hash-wasm: WebCrypto has no incremental digest),
 * so memory stays at the stream's chunks whatever the file's size.
 */
import { createSHA256 } from 'hash-wasm';

interface HashRequest {
  readonly blob: Blob;
  readonly stream?: boolean;
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
  const { blob, stream } = event.data;
  (stream ? streamed(blob).catch((error: unknown) => (blob.size <= WHOLE_FALLBACK_MAX_BYTES ? whole(blob) : Promise.reject(error))) : whole(blob))
    .then((digest) => scope.postMessage({ sha256: base64(digest) }))
    .catch((error: unknown) => scope.postMessage({ error: String(error) }));
};
