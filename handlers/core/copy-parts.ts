/**
 * How an object is copied inside the bucket. CopyObject copies at most 5 GiB in one request;
 * a larger object is copied part by part with UploadPartCopy (parts of 5 MiB … 5 GiB, at most
 * 10,000 of them). Pure arithmetic, so the byte ranges are tested without S3.
 */
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Largest object one CopyObject request may copy. */
export const MAX_SINGLE_COPY_BYTES = 5 * GiB;
const MAX_COPY_PART_BYTES = 5 * GiB;
export const MAX_COPY_PARTS = 10_000;
/** Preferred part size: few requests, each far from the Lambda timeout. */
export const DEFAULT_COPY_PART_BYTES = 512 * MiB;

export interface CopyPart {
  /** 1-based. */
  readonly partNumber: number;
  /** First and last byte, inclusive, as in `x-amz-copy-source-range: bytes=first-last`. */
  readonly first: number;
  readonly last: number;
}

/** The part size for an object of `size` bytes: `preferred`, grown (in whole MiB) to stay within 10,000 parts. */
export function copyPartSize(size: number, preferred: number = DEFAULT_COPY_PART_BYTES): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`copyPartSize: size must be a whole number of bytes, got ${size}`);
  if (Math.ceil(size / preferred) <= MAX_COPY_PARTS) return preferred;
  const partSize = Math.ceil(Math.ceil(size / MAX_COPY_PARTS) / MiB) * MiB;
  if (partSize > MAX_COPY_PART_BYTES) throw new RangeError(`copyPartSize: ${size} bytes do not fit in ${MAX_COPY_PARTS} parts of at most 5 GiB`);
  return partSize;
}

/** The byte ranges of a part-by-part copy: consecutive, covering `size` bytes exactly. */
export function copyPartRanges(size: number, partSize: number): CopyPart[] {
  if (!Number.isSafeInteger(partSize) || partSize < 1) throw new RangeError(`copyPartRanges: part size must be a positive whole number, got ${partSize}`);
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`copyPartRanges: size must be at least one byte, got ${size}`);
  const parts: CopyPart[] = [];
  for (let first = 0, partNumber = 1; first < size; first += partSize, partNumber += 1) {
    parts.push({ partNumber, first, last: Math.min(first + partSize, size) - 1 });
  }
  if (parts.length > MAX_COPY_PARTS) throw new RangeError(`copyPartRanges: ${parts.length} parts are more than ${MAX_COPY_PARTS}`);
  return parts;
}

/** Whether an object of `size` bytes must be copied part by part. */
export const needsPartCopy = (size: number, threshold: number = MAX_SINGLE_COPY_BYTES): boolean => size > threshold;
