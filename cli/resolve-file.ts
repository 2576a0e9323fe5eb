/** Finds a catalog file from what the user typed: an id, or `/folder/name` looked up by listing. */
import type { ApiClient } from './api-client';
import type { FileInfo } from './api-types';
import { splitFilePath } from './args';
import { ApiError } from '../client/errors';
import { CliError } from './errors';

const PAGE = 1000;

export async function resolveFile(api: ApiClient, target: string): Promise<FileInfo> {
  const location = splitFilePath(target);
  if (!location) {
    try {
      const answer = await (await api.call('GET /files/{id}', { params: { id: target } })) as FileInfo | { file: FileInfo };
      return 'file' in answer ? answer.file : answer;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) throw new CliError(`not found: no file with id ${target}`);
      throw error;
    }
  }
  let cursor: string | undefined;
  do {
    const page = await api.call('GET /files', { query: { folder: location.folder, limit: PAGE, cursor } });
    const found = page.files.find((f) => f.name === location.name.normalize('NFC'));
    if (found) return found;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  throw new CliError(`not found: no file ${target}`);
}

export const displayPath = (file: Pick<FileInfo, 'folder' | 'name'>): string => `${file.folder === '/' ? '' : file.folder}/${file.name}`;
