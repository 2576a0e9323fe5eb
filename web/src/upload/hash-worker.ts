/** SHA-256 of file slices off the main thread: `{id, blob}` in, `{id, sha256}` (base64) out. */
interface HashRequest {
  readonly id: number;
  readonly blob: Blob;
}

const scope = self as unknown as { onmessage: ((event: MessageEvent<HashRequest>) => void) | null; postMessage(message: unknown): void };

scope.onmessage = (event) => {
  const { id, blob } = event.data;
  blob
    .arrayBuffer()
    .then((buffer) => crypto.subtle.digest('SHA-256', buffer))
    .then((digest) => {
      let binary = '';
      for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
      scope.postMessage({ id, sha256: btoa(binary) });
    })
    .catch((error: unknown) => scope.postMessage({ id, error: String(error) }));
};
