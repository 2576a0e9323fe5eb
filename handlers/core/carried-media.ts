/**
 * What a move carries to the new key, decided without I/O: the derived objects (thumbnail,
 * preview, poster, a video's playable copy) of the version being moved, copied server-side
 * under the new key's derived prefix, and the processing results that describe them, written
 * on the new key's row by the sync function (through the move's upload session) instead of
 * processing the file again. A video copy a day in the making is not made twice for a rename.
 *
 * Nothing is carried (processing runs as before) unless there is something whole to carry:
 * the row describes the very version being copied (its ETag: a stale image is never attached
 * to other bytes), processing is `ready`, and a video's copy, when one was decided, is `ready`
 * (a pending or failed copy is made again at the new key).
 */
import type { CatalogFile } from './catalog';
import { derivedPrefixOf, type DerivedName } from './media';

/** The processing results of one version (`etag`, the source's), with the derived keys at the new key. */
export type CarriedProcessing = { readonly etag: string; readonly processing: 'ready' } & Pick<CatalogFile, 'media' | 'derived' | 'derivedBytes' | 'video'>;

/** One derived object to copy. */
export interface DerivedCopy {
  readonly from: string;
  readonly to: string;
}

export interface CarryPlan {
  readonly carried: CarriedProcessing;
  readonly copies: readonly DerivedCopy[];
}

/**
 * What moving `file` (its object at `sourceEtag`) to `destinationKey` carries, or `undefined`
 * when processing must run at the new key as it would for an upload.
 */
export function carryPlan(file: CatalogFile, sourceEtag: string | undefined, destinationKey: string): CarryPlan | undefined {
  if (sourceEtag === undefined || file.etag !== sourceEtag || file.processing !== 'ready' || file.derived === undefined) return undefined;
  const own = derivedPrefixOf(file.key);
  const target = derivedPrefixOf(destinationKey);
  // The same name under the new key's prefix: named by the bytes (the ETag they were made from), which a move keeps.
  const destinationOf = (key: string): string | undefined => (key.startsWith(own) && key.length > own.length ? `${target}${key.slice(own.length)}` : undefined);
  const copies: DerivedCopy[] = [];
  const derived: Partial<Record<DerivedName, string>> = {};
  for (const [name, from] of Object.entries(file.derived) as [DerivedName, string | undefined][]) {
    const to = from === undefined ? undefined : destinationOf(from);
    // Only the file's own derived objects.
    if (from === undefined || to === undefined) return undefined;
    copies.push({ from, to });
    derived[name] = to;
  }
  let video = file.video;
  const copy = video?.copy;
  if (video !== undefined && copy !== undefined) {
    const to = copy.state === 'ready' && copy.key !== undefined ? destinationOf(copy.key) : undefined;
    // A copy still being made, or that failed, is made again at the new key.
    if (copy.key === undefined || to === undefined) return undefined;
    copies.push({ from: copy.key, to });
    video = { ...video, copy: { ...copy, key: to } };
  }
  return {
    carried: {
      etag: sourceEtag,
      processing: 'ready',
      ...(file.media !== undefined ? { media: file.media } : {}),
      derived,
      ...(file.derivedBytes !== undefined ? { derivedBytes: file.derivedBytes } : {}),
      ...(video !== undefined ? { video } : {}),
    },
    copies,
  };
}

/** The keys of derived objects a row or carried results refer to (thumbnail, preview, poster, video copy). */
export function derivedKeysOf(results: Pick<CatalogFile, 'derived' | 'video'> | undefined): string[] {
  if (results === undefined) return [];
  const images = Object.values(results.derived ?? {}).filter((key): key is string => typeof key === 'string');
  const copy = results.video?.copy?.key;
  return copy !== undefined ? [...images, copy] : images;
}

/** The row fields carried results give a file (the sync's row and the move's preview alike). */
export function carriedFields(carried: CarriedProcessing): Pick<CatalogFile, 'processing' | 'media' | 'derived' | 'derivedBytes' | 'video'> {
  const { etag: _etag, ...fields } = carried;
  return fields;
}
