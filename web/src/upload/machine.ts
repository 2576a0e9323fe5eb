/**
 * One upload as a state machine, pure: the phases a file goes through and the bytes it has
 * sent. The runner (uploader.ts) feeds it events; components only read it.
 *
 *   queued → starting → uploading ⇄ paused → completing → done
 *                 ↘ failed (retry → queued)    any unfinished phase → cancelled
 *   needs-file: an upload found after a reload, waiting for its file to be selected again.
 *   queued → duplicate: its content is already in the library (`copy` says where); nothing is
 *   sent unless asked (upload-anyway → queued, checked no more).
 */
type UploadPhase = 'needs-file' | 'queued' | 'starting' | 'uploading' | 'paused' | 'completing' | 'done' | 'failed' | 'cancelled' | 'duplicate';

/** Where a file's content already is in the library. */
interface LibraryCopy {
  readonly id: string;
  readonly folder: string;
  readonly name: string;
}

export interface UploadItem {
  /** name|size|lastModified: how a re-selected file is matched to its unfinished upload. */
  readonly key: string;
  readonly name: string;
  readonly folder: string;
  readonly size: number;
  readonly contentType: string;
  readonly phase: UploadPhase;
  readonly uploadId?: string;
  /** The id the file will have in the catalog. */
  readonly fileId?: string;
  /** A drop link stored the file under another name than its own (`IMG (1).jpg`: the name was taken). */
  readonly storedAs?: string;
  readonly partSize?: number;
  readonly partCount?: number;
  /** Part numbers S3 holds. */
  readonly doneParts: readonly number[];
  /** Bytes of the parts S3 holds. */
  readonly bytesDone: number;
  /** Bytes sent so far of parts still in flight. */
  readonly bytesInFlight: number;
  /** When sending (re)started, and the bytes held then: the rate counts only this run. */
  readonly runStartedAt?: number;
  readonly runStartBytes: number;
  /** Parts skipped because S3 already held them (a resume). */
  readonly partsResumed: number;
  readonly error?: string;
  /** Its content is already in the library, here (phase `duplicate`). */
  readonly copy?: LibraryCopy;
  /** Sent even though its content is in the library (the person asked). */
  readonly uploadAnyway?: boolean;
}

export type UploadEvent =
  | { readonly type: 'start'; readonly at: number }
  | { readonly type: 'created'; readonly uploadId: string; readonly fileId: string; readonly partSize: number; readonly partCount: number; readonly storedAs?: string }
  | { readonly type: 'held'; readonly parts: readonly { readonly partNumber: number; readonly size: number }[]; readonly at: number }
  | { readonly type: 'progress'; readonly bytesInFlight: number }
  | { readonly type: 'part-done'; readonly partNumber: number; readonly size: number }
  | { readonly type: 'completing' }
  | { readonly type: 'done' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'cancel' }
  | { readonly type: 'fail'; readonly message: string }
  | { readonly type: 'file-found' }
  | { readonly type: 'duplicate'; readonly copy: LibraryCopy }
  | { readonly type: 'upload-anyway' };

export const fileKey = (file: { readonly name: string; readonly size: number; readonly lastModified: number }): string =>
  `${file.name}|${file.size}|${file.lastModified}`;

export function newUpload(file: { readonly name: string; readonly size: number; readonly lastModified: number; readonly type: string }, folder: string): UploadItem {
  return {
    key: fileKey(file),
    name: file.name,
    folder,
    size: file.size,
    contentType: file.type || 'application/octet-stream',
    phase: 'queued',
    doneParts: [],
    bytesDone: 0,
    bytesInFlight: 0,
    runStartBytes: 0,
    partsResumed: 0,
  };
}

const FINISHED: readonly UploadPhase[] = ['done', 'cancelled', 'duplicate'];
const isFinished = (item: UploadItem): boolean => FINISHED.includes(item.phase);
export const isActive = (item: UploadItem): boolean => item.phase === 'starting' || item.phase === 'uploading' || item.phase === 'completing';

/** The next state, or the same object when the event does not apply in this phase. */
export function transition(item: UploadItem, event: UploadEvent): UploadItem {
  switch (event.type) {
    case 'start':
      return item.phase === 'queued' ? { ...item, phase: 'starting', error: undefined, runStartedAt: event.at, runStartBytes: item.bytesDone } : item;
    case 'created':
      return item.phase === 'starting'
        ? { ...item, uploadId: event.uploadId, fileId: event.fileId, partSize: event.partSize, partCount: event.partCount, ...(event.storedAs !== undefined && event.storedAs !== item.name ? { storedAs: event.storedAs } : {}) }
        : item;
    case 'held': {
      if (item.phase !== 'starting') return item;
      const doneParts = [...new Set(event.parts.map((p) => p.partNumber))].sort((a, b) => a - b);
      const bytesDone = event.parts.reduce((sum, p) => sum + p.size, 0);
      return { ...item, phase: 'uploading', doneParts, bytesDone, bytesInFlight: 0, partsResumed: doneParts.length, runStartedAt: event.at, runStartBytes: bytesDone };
    }
    case 'progress':
      return item.phase === 'uploading' ? { ...item, bytesInFlight: event.bytesInFlight } : item;
    case 'part-done':
      if (item.phase !== 'uploading' && item.phase !== 'paused') return item;
      if (item.doneParts.includes(event.partNumber)) return item;
      return { ...item, doneParts: [...item.doneParts, event.partNumber].sort((a, b) => a - b), bytesDone: item.bytesDone + event.size };
    case 'completing':
      return item.phase === 'uploading' ? { ...item, phase: 'completing', bytesInFlight: 0 } : item;
    case 'done':
      return item.phase === 'completing' || item.phase === 'uploading' ? { ...item, phase: 'done', bytesDone: item.size, bytesInFlight: 0 } : item;
    case 'pause':
      return item.phase === 'queued' || item.phase === 'starting' || item.phase === 'uploading' ? { ...item, phase: 'paused', bytesInFlight: 0 } : item;
    case 'resume':
      return item.phase === 'paused' || item.phase === 'failed' ? { ...item, phase: 'queued', error: undefined } : item;
    case 'cancel':
      return isFinished(item) ? item : { ...item, phase: 'cancelled', bytesInFlight: 0 };
    case 'fail':
      return isFinished(item) || item.phase === 'paused' ? item : { ...item, phase: 'failed', error: event.message, bytesInFlight: 0 };
    case 'file-found':
      return item.phase === 'needs-file' ? { ...item, phase: 'queued' } : item;
    case 'duplicate':
      return item.phase === 'queued' && item.uploadAnyway !== true ? { ...item, phase: 'duplicate', copy: event.copy } : item;
    case 'upload-anyway':
      return item.phase === 'duplicate' ? { ...item, phase: 'queued', uploadAnyway: true } : item;
  }
}

export const sentBytes = (item: UploadItem): number => Math.min(item.size, item.bytesDone + item.bytesInFlight);

/** Bytes per second of this run (resumed parts not counted), or undefined before a second has passed. */
export function rateOf(item: UploadItem, now: number): number | undefined {
  if (item.runStartedAt === undefined || item.phase !== 'uploading') return undefined;
  const seconds = (now - item.runStartedAt) / 1000;
  return seconds < 0.5 ? undefined : (sentBytes(item) - item.runStartBytes) / seconds;
}

/** Seconds left at the current rate. */
export function etaOf(item: UploadItem, now: number): number | undefined {
  const rate = rateOf(item, now);
  return rate === undefined || rate <= 0 ? undefined : (item.size - sentBytes(item)) / rate;
}

interface UploadTotals {
  readonly files: number;
  readonly finished: number;
  readonly bytes: number;
  readonly sent: number;
  readonly rate?: number;
  readonly eta?: number;
}

/** All uploads not cancelled nor skipped as duplicates, as one: bytes, rate (sum of active rates) and time left. */
export function totalsOf(items: readonly UploadItem[], now: number): UploadTotals {
  const counted = items.filter((i) => i.phase !== 'cancelled' && i.phase !== 'duplicate');
  const bytes = counted.reduce((s, i) => s + i.size, 0);
  const sent = counted.reduce((s, i) => s + sentBytes(i), 0);
  const rates = counted.map((i) => rateOf(i, now)).filter((r): r is number => r !== undefined);
  const rate = rates.length ? rates.reduce((s, r) => s + r, 0) : undefined;
  return {
    files: counted.length,
    finished: counted.filter((i) => i.phase === 'done').length,
    bytes,
    sent,
    ...(rate !== undefined ? { rate } : {}),
    ...(rate !== undefined && rate > 0 ? { eta: (bytes - sent) / rate } : {}),
  };
}
