/**
 * One multipart upload's checksums, every byte read once (issue 22 §3): the file
 * is read part by part, in order; each part's CRC-32C (contract/crc32c.ts) is posted as soon as
 * the part is read, and the same bytes then feed the whole file's SHA-256 (hash-wasm: WebCrypto
 * has no incremental digest).
 *
 * Sends wait for their part's CRC-32C, not for the SHA-256: reading and CRC-32C run ahead of
 * the SHA-256 by up to `keepBytes` of parts kept for it (the SHA-256 takes them a MiB at a time,
 * so a read's CRC-32C is posted between two MiB of it), and memory stays at `keepBytes` plus the
 * part being digested whatever the file's size. Only when that lead is used up does the next
 * read wait for the SHA-256 to free a part: the upload cannot complete before the SHA-256 anyway.
 *
 * Answers `{type: 'part', partNumber, checksum}` for every part in order, then `{type: 'sha256',
 * sha256}` (absent where WebAssembly cannot run: the file is then sent without it and the scrub
 * records it). Runs in upload-hash-worker.ts, a Worker of the upload's own.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { Crc32c } from '../../../contract/crc32c';

export interface UploadHashStart {
  readonly file: Blob;
  readonly partSize: number;
  readonly partCount: number;
  /** Bytes of parts read ahead of the SHA-256 (at least one part is). */
  readonly keepBytes: number;
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
export async function hashUploadParts({ file, partSize, partCount, keepBytes }: UploadHashStart, post: (answer: UploadHashAnswer) => void): Promise<void> {
  // undefined where WebAssembly cannot run (a stricter CSP, an old browser): parts only.
  const sha: IHasher | undefined = await createSHA256().then((h) => (h.init(), h), () => undefined);
  if (!sha) post({ type: 'sha256' });
  /** Parts read, waiting for the SHA-256. */
  const kept: Uint8Array[] = [];
  /** Bytes of parts being read, kept or being digested: what this holds. */
  let held = 0;
  let nextRead = 1;
  let reading: Promise<void> | undefined;
  let digesting: { readonly bytes: Uint8Array; at: number } | undefined;
  const startRead = (): void => {
    const partNumber = nextRead;
    nextRead += 1;
    const offset = (partNumber - 1) * partSize;
    const length = Math.max(0, Math.min(file.size, offset + partSize) - offset);
    if (sha) held += length;
    const read = file.slice(offset, offset + length).arrayBuffer().then((buffer) => {
      const bytes = new Uint8Array(buffer);
      // The CRC-32C first, posted at once: a send may be waiting for it.
      post({ type: 'part', partNumber, checksum: new Crc32c().update(bytes).base64() });
      if (sha) kept.push(bytes);
      reading = undefined;
    });
    // A failed read (the file changed or went away) is thrown where the loop awaits it.
    read.catch(() => undefined);
    reading = read;
  };
  for (;;) {
    // The next part is read while the SHA-256 digests, as long as what is held stays within keepBytes.
    if (!reading && nextRead <= partCount && (!sha || held === 0 || held + partSize <= keepBytes)) startRead();
    if (sha && digesting) {
      sha.update(digesting.bytes.subarray(digesting.at, digesting.at + SHA_CHUNK_BYTES));
      digesting.at += SHA_CHUNK_BYTES;
      if (digesting.at >= digesting.bytes.length) {
        held -= digesting.bytes.length;
        digesting = undefined;
      }
      await breathe();
      continue;
    }
    const oldest = sha ? kept.shift() : undefined;
    if (oldest !== undefined) {
      digesting = { bytes: oldest, at: 0 };
      // An empty part (a 0-byte file) has nothing to digest.
      if (oldest.length === 0) digesting = undefined;
      continue;
    }
    if (reading) {
      await reading;
      continue;
    }
    if (nextRead > partCount) break;
  }
  if (sha) post({ type: 'sha256', sha256: base64(sha.digest('binary')) });
}
