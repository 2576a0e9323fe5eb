/**
 * Duplicate uploads (issue 22 §2, contract/dedupe.ts):
 *
 * - `POST /files/exists {"sha256": [...]}`: which of these contents a signed-in caller's library
 *   already holds, and where, among the files the caller may see: a file in a folder outside
 *   the caller's limits is never named (nor counted), so the answer tells nothing the caller
 *   could not list. Drop-link guests have no such route (it would be an oracle of the folder's
 *   content).
 * - `GET /files/duplicates` (admins): every content stored more than once, most bytes to free first.
 */
import type { DuplicateGroup, DuplicateList, ExistsAnswer } from '../../contract/wire';
import { MAX_EXISTS_HASHES } from '../../contract/dedupe';
import { isBase64Sha256 } from '../../contract/multipart';
import { ValidationError } from '../core/errors';
import { isFolderAllowed, requirePermission, type Caller } from '../core/roles';
import type { ContentCopy, ContentLookup } from '../adapters/content-index';

/** Most groups `GET /files/duplicates` answers (those with the most bytes to free). */
const MAX_DUPLICATE_GROUPS = 1000;
/** Time kept back from the Lambda's remaining time to answer before it times out. */
const DUPLICATES_MARGIN_MS = 1500;

export interface DuplicatesDeps {
  readonly content: ContentLookup;
  /** @default the clock */
  readonly now?: () => Date;
}

export function parseExistsRequest(body: unknown): readonly string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"sha256": ["<base64 SHA-256>", …]}');
  const { sha256, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new ValidationError(unknown, 'is not a known field (expected sha256)');
  if (!Array.isArray(sha256)) throw new ValidationError('sha256', 'is required and must be an array of whole-file SHA-256s in base64');
  if (sha256.length === 0 || sha256.length > MAX_EXISTS_HASHES) throw new ValidationError('sha256', `must hold 1 to ${MAX_EXISTS_HASHES} SHA-256s (ask in batches)`);
  sha256.forEach((value: unknown, i) => {
    if (!isBase64Sha256(value)) throw new ValidationError(`sha256[${i}]`, 'must be a SHA-256 in base64 with padding (44 characters, 32 bytes)');
  });
  return sha256 as string[];
}

const wireCopy = (copy: ContentCopy) => ({ id: copy.id, folder: copy.folder, name: copy.name, size: copy.size, uploadedAt: copy.uploadedAt });

export async function filesExist(sha256s: readonly string[], caller: Caller, deps: DuplicatesDeps): Promise<ExistsAnswer> {
  const copies = await deps.content.copiesOf(sha256s);
  const found = [...new Set(sha256s)].flatMap((sha256) => {
    const visible = (copies.get(sha256) ?? []).filter((copy) => isFolderAllowed(caller, copy.folder)).sort(byUpload);
    return visible.length > 0 ? [{ sha256, copies: visible.map(wireCopy) }] : [];
  });
  return { found };
}

const byUpload = (a: ContentCopy, b: ContentCopy): number => a.uploadedAt.localeCompare(b.uploadedAt) || a.id.localeCompare(b.id);

/** Groups of two or more files with the same content, most extra bytes first (then by SHA-256). */
export function duplicateGroups(copies: readonly ContentCopy[]): DuplicateGroup[] {
  const bySha = new Map<string, ContentCopy[]>();
  for (const copy of copies) {
    const group = bySha.get(copy.sha256);
    if (group) group.push(copy);
    else bySha.set(copy.sha256, [copy]);
  }
  const groups: DuplicateGroup[] = [];
  for (const [sha256, group] of bySha) {
    if (group.length < 2) continue;
    group.sort(byUpload);
    const size = group[0]?.size ?? 0;
    groups.push({
      sha256,
      size,
      extraBytes: group.slice(1).reduce((sum, c) => sum + c.size, 0),
      copies: group.map((c) => ({ ...wireCopy(c), uploadedBy: c.uploadedBy })),
    });
  }
  return groups.sort((a, b) => b.extraBytes - a.extraBytes || a.sha256.localeCompare(b.sha256));
}

/** `remainingMs`: the invocation's remaining time (Lambda's `getRemainingTimeInMillis`). */
export async function listDuplicates(caller: Caller, remainingMs: number, deps: DuplicatesDeps): Promise<DuplicateList> {
  requirePermission(caller, 'manage-users', 'see the duplicates of the whole library (admins only)');
  const started = (deps.now ?? (() => new Date()))();
  const { copies, complete } = await deps.content.all(started.getTime() + Math.max(0, remainingMs - DUPLICATES_MARGIN_MS));
  const groups = duplicateGroups(copies);
  return {
    computedAt: started.toISOString(),
    groups: groups.slice(0, MAX_DUPLICATE_GROUPS),
    complete,
    truncated: groups.length > MAX_DUPLICATE_GROUPS,
    extraBytes: groups.reduce((sum, g) => sum + g.extraBytes, 0),
  };
}
