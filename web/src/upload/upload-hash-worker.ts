/**
 * The Worker of one multipart upload's checksums (upload-hashing.ts): `UploadHashStart` in once;
 * `UploadHashAnswer`s out, `{type: 'error'}` when a read fails (the file changed or went away).
 */
import { hashUploadParts, type UploadHashAnswer, type UploadHashStart } from './upload-hashing';

const scope = self as unknown as { onmessage: ((event: MessageEvent<UploadHashStart>) => void) | null; postMessage(message: UploadHashAnswer): void };

scope.onmessage = (event) => {
  hashUploadParts(event.data, (answer) => scope.postMessage(answer)).catch((error: unknown) => scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
