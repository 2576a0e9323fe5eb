/**
 * `POST /files/links {ids}`: download links for up to 1,000 files at once, in the order asked.
 * A bad body is a 400; an id that names no available file is reported in its own item, so one
 * stale id does not fail the batch. A file in a folder outside the caller's limits is answered
 * exactly like a missing one: the caller must not learn that it exists.
 */
import { ValidationError } from '../core/errors';
import { keyOfFileId, MAX_KEY_BYTES, parseObjectKey } from '../core/paths';
import { isFolderAllowed, type Caller } from '../core/roles';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';
import { urlExpiry } from './file-view';

export const MAX_LINK_IDS = 1000;
/** Longest id: base64url of the longest key. */
const MAX_ID_LENGTH = Math.ceil((MAX_KEY_BYTES * 4) / 3);

type FileLink =
  | { readonly id: string; readonly name: string; readonly url: string; readonly urlExpiresAt: string }
  | { readonly id: string; readonly error: { readonly code: 'NotFound'; readonly message: string } };

export interface FileLinksResponse {
  readonly links: readonly FileLink[];
}

/** The ids of a links request; at most `max` of them. */
export function parseLinksRequest(body: unknown, max = MAX_LINK_IDS): readonly string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"ids": [...]}');
  const { ids, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ValidationError(unknown[0] as string, 'is not a known field (expected ids)');
  if (!Array.isArray(ids)) throw new ValidationError('ids', 'is required and must be an array of file ids');
  if (ids.length === 0 || ids.length > max) throw new ValidationError('ids', `must hold 1 to ${max} file ids`);
  ids.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) throw new ValidationError(`ids[${i}]`, `must be a file id (a non-empty string of at most ${MAX_ID_LENGTH} characters)`);
  });
  return ids as string[];
}

export interface FileLinksDeps {
  readonly files: Pick<FileCatalog, 'getFiles'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

export async function fileLinks(ids: readonly string[], caller: Caller, deps: FileLinksDeps): Promise<FileLinksResponse> {
  const keys = ids.map((id) => {
    const key = keyOfFileId(id);
    return key !== undefined && parseObjectKey(key) !== undefined ? key : undefined;
  });
  const found = await deps.files.getFiles(keys.filter((k): k is string => k !== undefined));
  const now = (deps.now ?? (() => new Date()))();
  const urls = await deps.objects.urlSigner();
  const urlExpiresAt = urlExpiry({ ttlSeconds: deps.viewUrlTtlSeconds, now });
  const links = ids.map((id, i): FileLink => {
    const key = keys[i];
    const file = key === undefined ? undefined : found.get(key);
    if (file === undefined || !isFolderAllowed(caller, file.folder)) return { id, error: { code: 'NotFound', message: 'No such file' } };
    const url = urls.get(file, 'attachment', { expiresIn: deps.viewUrlTtlSeconds, now });
    return { id, name: file.name, url, urlExpiresAt };
  });
  return { links };
}
