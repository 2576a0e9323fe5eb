/**
 * `POST /uploads/batch {files: [{folder, fileName, contentType, size, tags?, description?}]}`:
 * up to `MAX_BATCH_FILES` uploads at once, each exactly what `POST /uploads` would answer for
 * that item (single PUT or multipart by size, see create-upload.ts).
 *
 * The whole batch is refused (400) only when it is not such a list (not an object, no
 * `files` array, empty, too long); the role is checked once (403 for viewers). Everything
 * else is per item, in request order: `{index, upload}` or `{index, error: {code, message}}`
 * — a bad name, a type or size not allowed, a folder outside the caller's limits, the same
 * folder and name twice in one batch — so one bad file does not cost the good ones a retry.
 * The answer is 201 when every item got an upload, else 207 with the failures marked.
 */
import { Conflict, HttpError, ValidationError } from '../core/errors';
import { requirePermission, type Caller } from '../core/roles';
import { createUpload, parseUploadRequest, type CreateUploadDeps, type CreateUploadResponse, type UploadLimits } from './create-upload';

const MAX_BATCH_FILES = 100;
/** Sessions written at once: enough to hide latency, few enough not to throttle the table. */
const CONCURRENCY = 8;

type BatchItemResult =
  | { readonly index: number; readonly upload: CreateUploadResponse }
  | { readonly index: number; readonly error: { readonly code: string; readonly message: string } };

interface BatchUploadResponse {
  readonly uploads: readonly BatchItemResult[];
  readonly created: number;
  readonly failed: number;
}

class DuplicateInBatch extends Conflict {
  override readonly code = 'DuplicateInBatch';
}

/** The batch's items, still unparsed: each is validated on its own. */
export function parseBatchRequest(body: unknown): readonly unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"files": [...]}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((f) => f !== 'files');
  if (unknown !== undefined) throw new ValidationError(unknown, 'is not a known field (expected files)');
  const files = fields.files;
  if (!Array.isArray(files)) throw new ValidationError('files', 'is required and must be an array of uploads');
  if (files.length === 0 || files.length > MAX_BATCH_FILES) throw new ValidationError('files', `must hold 1 to ${MAX_BATCH_FILES} uploads`);
  return files;
}

export async function createBatchUploads(items: readonly unknown[], caller: Caller, deps: CreateUploadDeps & UploadLimits): Promise<BatchUploadResponse> {
  requirePermission(caller, 'write', 'upload files');
  const seenKeys = new Set<string>();
  const results: BatchItemResult[] = new Array(items.length);

  const attempt = async (index: number): Promise<BatchItemResult> => {
    try {
      const request = parseUploadRequest(items[index], deps);
      if (seenKeys.has(request.key)) throw new DuplicateInBatch(`${request.folder} already has "${request.name}" earlier in this batch`);
      seenKeys.add(request.key);
      return { index, upload: await createUpload(request, caller, deps) };
    } catch (error) {
      if (!(error instanceof HttpError) || error.statusCode >= 500) throw error;
      return { index, error: { code: error.code, message: error.message } };
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await attempt(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  const failed = results.filter((r) => 'error' in r).length;
  return { uploads: results, created: results.length - failed, failed };
}
