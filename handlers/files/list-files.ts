/**
 * `GET /files?folder=&limit=&cursor=`: one page of a folder's available files, each with a
 * presigned view URL. Bad folder, limit or cursor is a 400 naming the parameter.
 */
import { decodeListCursor, encodeListCursor } from '../core/cursor';
import { ValidationError } from '../core/errors';
import type { FileType } from '../core/content-types';
import { normalizeFolder, ROOT_FOLDER } from '../core/paths';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface ListQuery {
  readonly folder: string;
  readonly limit: number;
  readonly afterName?: string;
}

export function parseListQuery(params: Readonly<Record<string, string | undefined>> | undefined): ListQuery {
  const folder = normalizeFolder(params?.folder ?? ROOT_FOLDER);
  const rawLimit = params?.limit;
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT) {
      throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    limit = Number(rawLimit);
  }
  const afterName = params?.cursor === undefined ? undefined : decodeListCursor(params.cursor, folder);
  return { folder, limit, ...(afterName !== undefined ? { afterName } : {}) };
}

export interface FileView {
  readonly id: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly fileType: FileType;
  readonly uploadedAt: string;
  readonly uploadedBy: string;
  /** Whole-file SHA-256 (base64) declared at upload, when there was one. */
  readonly sha256?: string;
  readonly url: string;
  readonly urlExpiresAt: string;
}

export interface ListFilesResponse {
  readonly files: readonly FileView[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

export interface ListFilesDeps {
  readonly files: Pick<FileCatalog, 'listFolder'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

export async function listFiles(query: ListQuery, deps: ListFilesDeps): Promise<ListFilesResponse> {
  const page = await deps.files.listFolder(query.folder, { limit: query.limit, ...(query.afterName !== undefined ? { afterName: query.afterName } : {}) });
  const now = (deps.now ?? (() => new Date()))();
  const urlExpiresAt = new Date(now.getTime() + deps.viewUrlTtlSeconds * 1000).toISOString();
  const sign = await deps.objects.urlSigner();
  const files = page.files.map(
    (file): FileView => ({
      id: file.id,
      folder: file.folder,
      name: file.name,
      size: file.size,
      contentType: file.contentType,
      fileType: file.fileType,
      uploadedAt: file.uploadedAt,
      uploadedBy: file.uploadedBy,
      ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}),
      url: sign({ operation: 'GetObject', key: file.key, expiresIn: deps.viewUrlTtlSeconds, now }),
      urlExpiresAt,
    }),
  );
  return { files, nextCursor: page.lastName === undefined ? null : encodeListCursor(query.folder, page.lastName) };
}
