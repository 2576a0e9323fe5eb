/**
 * `GET /files/{id}` (metadata and a view URL) and `GET /files/{id}/download` (a presigned
 * URL whose response carries `Content-Disposition: attachment` with the file's name). An
 * unknown, deleted or malformed id is a 404; a folder outside the caller's limits a 403.
 */
import { NotFound } from '../core/errors';
import { assertFolderAllowed, type Caller } from '../core/roles';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';
import { locateFile, toFileView, type FileView } from './file-view';
import type { CatalogFile } from '../core/catalog';

export interface GetFileDeps {
  readonly files: Pick<FileCatalog, 'getRow'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

async function readableFile(id: string | undefined, caller: Caller, deps: Pick<GetFileDeps, 'files'>): Promise<CatalogFile> {
  const location = locateFile(id);
  assertFolderAllowed(caller, location.folder, 'read files in');
  const row = await deps.files.getRow(location.folder, location.name);
  if (row.file === undefined) throw new NotFound('No such file');
  return row.file;
}

export async function getFile(id: string | undefined, caller: Caller, deps: GetFileDeps): Promise<FileView> {
  const file = await readableFile(id, caller, deps);
  const now = (deps.now ?? (() => new Date()))();
  return toFileView(file, { sign: await deps.objects.urlSigner(), ttlSeconds: deps.viewUrlTtlSeconds, now });
}

/** The presigned download URL of a file: its response is an attachment named like the file. */
export async function downloadUrl(id: string | undefined, caller: Caller, deps: GetFileDeps): Promise<string> {
  const file = await readableFile(id, caller, deps);
  const now = (deps.now ?? (() => new Date()))();
  return (await deps.objects.urlSigner()).get(file, 'attachment', { expiresIn: deps.viewUrlTtlSeconds, now });
}
