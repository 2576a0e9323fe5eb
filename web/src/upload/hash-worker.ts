/** SHA-256 of a file slice off the main thread, one at a time: `{blob}` in, `{sha256}` (base64) or `{error}` out. */
interface HashRequest {
  readonly blob: Blob;
}

const scope = self as unknown as { onmessage: ((event: MessageEvent<HashRequest>) => void) | null; postMessage(message: unknown): void };

scope.onmessage = (event) => {
  event.data.blob
    .arrayBuffer()
    .then((buffer) => crypto.subtle.digest('SHA-256', buffer))
    .then((digest) => {
      let binary = '';
      for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
      scope.postMessage({ sha256: btoa(binary) });
    })
    .catch((error: unknown) => scope.postMessage({ error: String(error) }));
};
