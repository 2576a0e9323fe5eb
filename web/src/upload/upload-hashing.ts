/**
 * One multipart upload's checksums, every byte read once (issue 22 §3): the file is read part by
 * part, `readsAtOnce` parts in flight; each part's CRC-32C (contract/crc32c.ts) is posted as soon
 * as the part is read (so parts may answer out of order), and the same bytes then feed the whole
 * file's SHA-256 in part order (hash-wasm: WebCrypto has no incremental digest).
 *
 * Sends wait for their part's CRC-32C, not for the SHA-256: reading and CRC-32C run ahead of
 * the SHA-256 within `keepBytes` of parts being read or kept for it (the SHA-256 takes them a MiB
 * at a time, so reads' answers come in between two MiB of it), so memory stays at `keepBytes`
 * whatever the file's size. Only when that lead is used up does the next read wait for the
 * SHA-256 to free a part: the upload cannot complete before the SHA-256 anyway.
 *
 * Answers `{type: 'part', partNumber, checksum}` for every part, then `{type: 'sha256',
 * sha256}` (absent where WebAssembly cannot run: the file is then sent without it and the scrub
 * records it). Runs in upload-hash-worker.ts, a Worker of the upload's own.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { Crc32c } from '../../../contract/crc32c';

export interface UploadHashStart {
  readonly file: Blob;
  readonly partSize: number;
  readonly partCount: number;
  /** Bytes of parts being read or read ahead of the SHA-256 (at least one part is). */
  readonly keepBytes: number;
  /** `File` reads in flight at once, within keepBytes. @default 1 */
  readonly readsAtOnce?: number;
}

export type UploadHashAnswer =
  | { readonly type: 'part'; readonly partNumber: number; readonly checksum: string }
  | { readonly type: 'sha256'; readonly sha256?: string }
  | { readonly type: 'error'; readonly message: string };

/** The SHA-256 digests at most this much before letting messages (and reads) in. */
const SHA_CHUNK_BYTES = 1024 * 1024;

const base64 = (digest: Uint8Array): string => {
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
};

/** Lets queued tasks run (a MessageChannel: no timer clamping in a loop). */
const breathe = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });

/** Hashes `start.file` as the header says, posting each answer through `post`; rejects when a read fails. */
export async function hashUploadParts({ file, partSize, partCount, keepBytes, readsAtOnce = 1 }: UploadHashStart, post: (answer: UploadHashAnswer) => void): Promise<void> {
  // undefined where WebAssembly cannot run (a stricter CSP, an old browser): parts only.
  const sha: IHasher | undefined = await createSHA256().then((h) => (h.init(), h), () => undefined);
  if (!sha) post({ type: 'sha256' });
  /** Parts being read or read, by part number, until the SHA-256 takes them (in order). */
  const reads = new Map<number, Promise<Uint8Array>>();
  let inFlight = 0;
  /** Bytes of parts being read, kept or being digested: what this holds. */
  let held = 0;
  let nextRead = 1;
  let nextDigest = 1;
  /** Starts reads while fewer than `readsAtOnce` are in flight and what is held stays within keepBytes. */
  const fill = (): void => {
    while (nextRead <= partCount && inFlight < readsAtOnce && (held === 0 || held + partSize <= keepBytes)) {
      const partNumber = nextRead;
      nextRead += 1;
      const offset = (partNumber - 1) * partSize;
      const length = Math.max(0, Math.min(file.size, offset + partSize) - offset);
      inFlight += 1;
      held += length;
      const read = file.slice(offset, offset + length).arrayBuffer().then((buffer) => {
        const bytes = new Uint8Array(buffer);
        // The CRC-32C first, posted at once (parts may finish out of order): a send may be waiting for it.
        post({ type: 'part', partNumber, checksum: new Crc32c().update(bytes).base64() });
        inFlight -= 1;
        if (!sha) held -= length;
        fill();
        return sha ? bytes : new Uint8Array();
      });
      // A failed read (the file changed or went away) is thrown where the loop awaits it, in part order.
      read.catch(() => undefined);
      reads.set(partNumber, read);
    }
  };
  fill();
  while (nextDigest <= partCount) {
    const bytes = await (reads.get(nextDigest) as Promise<Uint8Array>);
    reads.delete(nextDigest);
    nextDigest += 1;
    if (!sha) continue;
    // A MiB at a time, letting the reads' answers (and their CRC-32Cs) in between.
    for (let at = 0; at < bytes.length; at += SHA_CHUNK_BYTES) {
      sha.update(bytes.subarray(at, at + SHA_CHUNK_BYTES));
      await breathe();
    }
    held -= bytes.length;
    fill();
  }
  if (sha) post({ type: 'sha256', sha256: base64(sha.digest('binary')) });
}
