/**
 * What an export run does (issue 22 §4, contract/export.ts): the catalog as the user sees it
 * against the sidecars of the previous runs. Pure: no Node or DOM, the CLI brings the files.
 *
 * A file whose content the sidecar already records (same SHA-256 and size; without a SHA-256 the
 * same id, size and upload time) and whose local copy has that size is not transferred; when
 * only its tags, description or other fields changed its sidecar is rewritten. A file whose
 * content is already on disk under another path (a move or a copy in the library) is copied
 * locally. Everything else is downloaded. Local files whose path left the library are reported,
 * and removed only when asked (`--delete`): an export never deletes on its own.
 */
import { sidecarOf, type ExportSidecar } from '../contract/export';
import type { FileItem } from '../contract/wire';

/** A file's place in the library and in the export: `/folder/name` (`/name` at the root). */
export const libraryPath = (file: Pick<FileItem, 'folder' | 'name'>): string => `${file.folder === '/' ? '' : file.folder}/${file.name}`;

/** What a previous run left for one path: its sidecar and the size of the local copy (absent: no file). */
export interface LocalEntry {
  readonly sidecar: ExportSidecar;
  readonly localSize?: number;
}

export type ExportAction =
  | { readonly kind: 'unchanged'; readonly file: FileItem }
  | { readonly kind: 'metadata'; readonly file: FileItem }
  | { readonly kind: 'copy'; readonly file: FileItem; readonly from: string }
  | { readonly kind: 'download'; readonly file: FileItem };

interface ExportPlan {
  readonly actions: readonly ExportAction[];
  /** Paths with a sidecar whose file is no longer in the library (deleted, moved or out of reach). */
  readonly gone: readonly string[];
}

const sameContent = (sidecar: ExportSidecar, file: FileItem): boolean =>
  sidecar.size === file.size && (file.sha256 !== undefined ? sidecar.sha256 === file.sha256 : sidecar.id === file.id && sidecar.uploadedAt === file.uploadedAt);

/** Whether the sidecar says all the catalog says of the file (its export time aside). */
function sidecarCurrent(sidecar: ExportSidecar, file: FileItem): boolean {
  const { exportedAt: _a, ...recorded } = sidecar;
  const { exportedAt: _b, ...now } = sidecarFor(file, sidecar.exportedAt, sidecar);
  return canonical(recorded) === canonical(now);
}

/**
 * The sidecar to write for a file: the catalog's fields; where the catalog has no SHA-256 yet
 * (until the scrub records one), the one an earlier run hashed from the same bytes is kept.
 */
export function sidecarFor(file: FileItem, exportedAt: string, previous?: ExportSidecar): ExportSidecar {
  const fresh = sidecarOf(file, exportedAt);
  return file.sha256 === undefined && previous?.sha256 !== undefined && sameContent(previous, file) ? { ...fresh, sha256: previous.sha256 } : fresh;
}

const canonical = (fields: object): string =>
  JSON.stringify(
    Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

export function planExport(catalog: readonly FileItem[], local: ReadonlyMap<string, LocalEntry>): ExportPlan {
  // Local copies by content, to copy from instead of downloading again.
  const byContent = new Map<string, string>();
  for (const [path, entry] of local) {
    if (entry.sidecar.sha256 !== undefined && entry.localSize === entry.sidecar.size && !byContent.has(entry.sidecar.sha256)) byContent.set(entry.sidecar.sha256, path);
  }
  const inLibrary = new Set<string>();
  const actions = catalog.map((file): ExportAction => {
    const path = libraryPath(file);
    inLibrary.add(path);
    const entry = local.get(path);
    if (entry !== undefined && entry.localSize === file.size && sameContent(entry.sidecar, file)) {
      return { kind: sidecarCurrent(entry.sidecar, file) ? 'unchanged' : 'metadata', file };
    }
    const from = file.sha256 !== undefined ? byContent.get(file.sha256) : undefined;
    const source = from !== undefined ? local.get(from) : undefined;
    if (from !== undefined && from !== path && source?.sidecar.size === file.size) return { kind: 'copy', file, from };
    return { kind: 'download', file };
  });
  const gone = [...local.keys()].filter((path) => !inLibrary.has(path)).sort();
  return { actions, gone };
}
