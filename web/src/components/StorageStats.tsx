/**
 * Admins: how much the library holds — in total, by type, by content type and by uploader — and
 * what is stored besides the originals: derived images, video copies, the trash (`GET /stats/storage`).
 */
import type { FileType, StorageFigures, StorageStats as Stats, StoredFigures } from '../../../contract/wire';
import * as api from '../api';
import { formatBytes, formatDate } from '../format';
import { AdminReport, type ReportWords } from './AdminReport';

const TYPE_NAMES: Readonly<Record<FileType, string>> = { image: 'Images', video: 'Videos', other: 'Other files' };
const DROP_PREFIX = 'share:';
/** What the bucket holds, in the order the table lists it. */
const STORED_KINDS: readonly (readonly [Exclude<keyof StoredFigures, 'total'>, string])[] = [
  ['originals', 'Originals'],
  ['derivedImages', 'Thumbnails and previews'],
  ['videoCopies', 'Video copies'],
  ['trash', 'Trash'],
];

/** How an uploader reads: drop-link guests by their link's label, objects put without an upload as such. */
export function uploaderName(uploadedBy: string): string {
  if (uploadedBy.startsWith(DROP_PREFIX)) return `${uploadedBy.slice(DROP_PREFIX.length)} (drop link)`;
  if (uploadedBy === 'unknown') return 'unknown (put without an upload)';
  return uploadedBy;
}

export const fileCount = (files: number): string => `${files.toLocaleString('en')} file${files === 1 ? '' : 's'}`;

/** Share of the total bytes, as a whole percent (`<1%` for a sliver, never a misleading 0%). */
export function shareOf(bytes: number, total: number): string {
  if (total === 0 || bytes === 0) return '0%';
  const percent = (bytes / total) * 100;
  return percent < 1 ? '<1%' : `${Math.round(percent)}%`;
}

interface Row extends StorageFigures {
  readonly key: string;
  readonly label: string;
}

function FiguresTable(props: { readonly caption: string; readonly heading: string; readonly rows: readonly Row[]; readonly total: StorageFigures }) {
  return (
    <table class="figures">
      <caption>{props.caption}</caption>
      <thead>
        <tr><th scope="col">{props.heading}</th><th scope="col" class="num">Files</th><th scope="col" class="num">Size</th><th scope="col" class="num">Share</th></tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            <td class="num">{row.files.toLocaleString('en')}</td>
            <td class="num">{formatBytes(row.bytes)}</td>
            <td class="num">
              <span class="bar" aria-hidden="true"><span style={{ width: `${props.total.bytes ? (row.bytes / props.total.bytes) * 100 : 0}%` }} /></span>
              {shareOf(row.bytes, props.total.bytes)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const WORDS: ReportWords = { title: 'Storage', again: 'Refresh', busy: 'Adding up…', failure: 'Could not add up the storage', loading: 'Adding up the library…' };

export function StorageStats(props: { readonly load?: () => Promise<Stats> }) {
  return (
    <AdminReport class="storage" headingId="storage-title" words={WORDS} load={props.load ?? api.storageStats}>
      {(stats) => (
        <>
          <p class="storage-total">
            <strong>{formatBytes(stats.total.bytes)}</strong> in <strong>{fileCount(stats.total.files)}</strong>
            {' '}· <strong>{formatBytes(stats.stored.total.bytes)}</strong> stored in all
            <span class="computed"> · as of {formatDate(stats.computedAt)}</span>
          </p>
          <FiguresTable
            caption="Stored"
            heading="Kind"
            total={stats.stored.total}
            rows={STORED_KINDS.map(([kind, label]) => ({ key: kind, label, ...stats.stored[kind] }))}
          />
          <FiguresTable
            caption="By type"
            heading="Type"
            total={stats.total}
            rows={stats.byType.map((t) => ({ key: t.fileType, label: TYPE_NAMES[t.fileType], files: t.files, bytes: t.bytes }))}
          />
          {stats.byUser.length > 0 ? (
            <FiguresTable
              caption="By uploader"
              heading="Uploader"
              total={stats.total}
              rows={stats.byUser.map((u) => ({ key: u.uploadedBy, label: uploaderName(u.uploadedBy), files: u.files, bytes: u.bytes }))}
            />
          ) : (
            <p class="empty">No files yet.</p>
          )}
          {stats.byContentType.length > 0 && (
            <details class="content-types">
              <summary>By content type ({stats.byContentType.length})</summary>
              <FiguresTable
                caption="By content type"
                heading="Content type"
                total={stats.total}
                rows={stats.byContentType.map((c) => ({ key: c.contentType, label: c.contentType, files: c.files, bytes: c.bytes }))}
              />
            </details>
          )}
        </>
      )}
    </AdminReport>
  );
}
