/**
 * The export format (issue 22 §4, docs/backup.md): what `media-store export <dir>` writes and
 * `media-store import <dir>` reads. Pure data and parsing, no imports outside contract/.
 *
 * ```
 * <dir>/trips/2024/beach.jpg                          the original, under its folder path
 * <dir>/.media-store/export.json                      marks the folder as an export (ExportManifest)
 * <dir>/.media-store/files/trips/2024/beach.jpg.json  its sidecar (ExportSidecar)
 * <dir>/.media-store/partial/<sha256 hex>.part        a download in progress (resumed with Range)
 * ```
 *
 * Sidecars live in their own tree rather than beside the originals, so the mirror holds
 * exactly the library's files (a library file may itself be named `x.json`) and a folder
 * without `.media-store/` is a plain folder: import takes that too.
 */
import type { FileItem } from './wire';

/** The folder at the export's root holding the manifest, the sidecars and partial downloads. */
export const EXPORT_META_DIR = '.media-store';
export const EXPORT_MANIFEST = 'export.json';
export const EXPORT_SIDECARS_DIR = 'files';
export const EXPORT_PARTIAL_DIR = 'partial';
export const EXPORT_FORMAT = 'media-store-export';
export const EXPORT_FORMAT_VERSION = 1;

/** `.media-store/export.json`. */
export interface ExportManifest {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: number;
  /** The API exported from. */
  readonly apiUrl: string;
  /** ISO 8601: when the export began and when its last run ended. */
  readonly createdAt: string;
  readonly lastRunAt?: string;
}

/** What a sidecar records of a file: its identity, its content's checksums and every field a user set. */
export interface ExportSidecar {
  readonly id: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly fileType?: FileItem['fileType'];
  /** Whole-file SHA-256, base64, as the catalog holds it (and as the export verified the bytes against). */
  readonly sha256?: string;
  readonly tags: readonly string[];
  readonly description?: string;
  /** ISO 8601: the date taken. */
  readonly takenAt?: string;
  readonly uploadedBy: string;
  /** ISO 8601. */
  readonly uploadedAt: string;
  /** ISO 8601: when this export last wrote the sidecar. */
  readonly exportedAt: string;
}

export const sidecarOf = (file: FileItem, exportedAt: string): ExportSidecar => ({
  id: file.id,
  folder: file.folder,
  name: file.name,
  size: file.size,
  contentType: file.contentType,
  fileType: file.fileType,
  ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}),
  tags: [...file.tags],
  ...(file.description !== undefined ? { description: file.description } : {}),
  ...(file.takenAt !== undefined ? { takenAt: file.takenAt } : {}),
  uploadedBy: file.uploadedBy,
  uploadedAt: file.uploadedAt,
  exportedAt,
});

/** Why a sidecar or manifest was refused: the field named. */
export class ExportFormatError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
    this.name = 'ExportFormatError';
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ExportFormatError(what, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function text(fields: Record<string, unknown>, name: string, optional = false): string | undefined {
  const value = fields[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value === '') throw new ExportFormatError(name, optional ? 'must be a non-empty string when present' : 'must be a non-empty string');
  return value;
}

function instant(fields: Record<string, unknown>, name: string, optional = false): string | undefined {
  const value = text(fields, name, optional);
  if (value !== undefined && (!ISO.test(value) || Number.isNaN(Date.parse(value)))) throw new ExportFormatError(name, `must be an ISO 8601 date and time, got "${value}"`);
  return value;
}

/** A sidecar's JSON, checked field by field; throws `ExportFormatError` naming the first bad field. */
export function parseSidecar(json: string): ExportSidecar {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ExportFormatError('sidecar', `is not JSON (${(error as Error).message})`);
  }
  const fields = record(value, 'sidecar');
  const folder = text(fields, 'folder') as string;
  if (!folder.startsWith('/')) throw new ExportFormatError('folder', `must start with "/", got "${folder}"`);
  const name = text(fields, 'name') as string;
  if (name.includes('/') || name === '.' || name === '..') throw new ExportFormatError('name', `must be a file name, got "${name}"`);
  const size = fields.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ExportFormatError('size', 'must be a whole number of bytes');
  const sha256 = text(fields, 'sha256', true);
  if (sha256 !== undefined && !SHA256_BASE64.test(sha256)) throw new ExportFormatError('sha256', 'must be a base64 SHA-256 (44 characters)');
  const tags = fields.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw new ExportFormatError('tags', 'must be a list of strings');
  const description = fields.description;
  if (description !== undefined && typeof description !== 'string') throw new ExportFormatError('description', 'must be a string when present');
  const fileType = fields.fileType;
  if (fileType !== undefined && fileType !== 'image' && fileType !== 'video' && fileType !== 'other') throw new ExportFormatError('fileType', 'must be image, video or other when present');
  const takenAt = instant(fields, 'takenAt', true);
  return {
    id: text(fields, 'id') as string,
    folder,
    name,
    size,
    contentType: text(fields, 'contentType') as string,
    ...(fileType !== undefined ? { fileType } : {}),
    ...(sha256 !== undefined ? { sha256 } : {}),
    tags: tags as string[],
    ...(description !== undefined ? { description } : {}),
    ...(takenAt !== undefined ? { takenAt } : {}),
    uploadedBy: text(fields, 'uploadedBy') as string,
    uploadedAt: instant(fields, 'uploadedAt') as string,
    exportedAt: instant(fields, 'exportedAt') as string,
  };
}

/** The manifest's JSON; throws `ExportFormatError` when it is not one this version reads. */
export function parseManifest(json: string): ExportManifest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ExportFormatError('manifest', `is not JSON (${(error as Error).message})`);
  }
  const fields = record(value, 'manifest');
  if (fields.format !== EXPORT_FORMAT) throw new ExportFormatError('format', `must be "${EXPORT_FORMAT}"`);
  if (fields.version !== EXPORT_FORMAT_VERSION) throw new ExportFormatError('version', `must be ${EXPORT_FORMAT_VERSION} (this CLI's format), got ${JSON.stringify(fields.version)}`);
  const lastRunAt = instant(fields, 'lastRunAt', true);
  return { format: EXPORT_FORMAT, version: EXPORT_FORMAT_VERSION, apiUrl: text(fields, 'apiUrl') as string, createdAt: instant(fields, 'createdAt') as string, ...(lastRunAt !== undefined ? { lastRunAt } : {}) };
}
