/** Uploads: per-file and total progress with rate and time left; pause, resume, cancel. */
import { useEffect, useState } from 'preact/hooks';
import { formatBytes, formatDuration, formatRate } from '../format';
import { etaOf, rateOf, sentBytes, totalsOf, type UploadItem } from '../upload/machine';

export interface UploadPanelProps {
  readonly uploads: readonly UploadItem[];
  readonly onPause: (key: string) => void;
  readonly onResume: (key: string) => void;
  readonly onCancel: (key: string) => void;
  readonly onClear: () => void;
  /** Sends a file whose content is already in the library all the same. */
  readonly onUploadAnyway?: (key: string) => void;
  /** Folds the list back into the top bar's indicator. @default no close button (the list stands in the page) */
  readonly onClose?: () => void;
}

const PHASE_LABEL: Record<UploadItem['phase'], string> = {
  'needs-file': 'interrupted — select the file again to resume',
  queued: 'waiting',
  starting: 'starting',
  uploading: 'uploading',
  paused: 'paused',
  completing: 'finishing',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  duplicate: 'already in your library',
};

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

const pathOf = (copy: { readonly folder: string; readonly name: string }): string => `${copy.folder === '/' ? '' : copy.folder}/${copy.name}`;

export function UploadPanel({ uploads, onPause, onResume, onCancel, onClear, onClose, onUploadAnyway }: UploadPanelProps) {
  const active = uploads.some((u) => u.phase === 'uploading' || u.phase === 'starting');
  const now = useNow(active);
  if (!uploads.length) return null;
  const totals = totalsOf(uploads, now);
  const duplicates = uploads.filter((u) => u.phase === 'duplicate');
  return (
    <section class="uploads" aria-label="Uploads">
      <header>
        <h2>Uploads</h2>
        <p aria-live="polite">
          {totals.finished} of {totals.files} files · {formatBytes(totals.sent)} of {formatBytes(totals.bytes)}
          {totals.rate !== undefined && ` · ${formatRate(totals.rate)}`}
          {totals.eta !== undefined && ` · ${formatDuration(totals.eta)} left`}
        </p>
        {duplicates.length > 0 && (
          <p class="duplicates" role="status">
            {duplicates.length === 1 ? '1 already in your library' : `${duplicates.length} already in your library`}: not sent
            {onUploadAnyway && duplicates.length > 1 && (
              <button type="button" onClick={() => duplicates.forEach((u) => onUploadAnyway(u.key))}>Upload all anyway</button>
            )}
          </p>
        )}
        <progress max={Math.max(1, totals.bytes)} value={totals.sent} aria-label="Total upload progress" />
        <button type="button" onClick={onClear}>Clear finished</button>
        {onClose && <button type="button" onClick={onClose} aria-label="Close uploads">✕</button>}
      </header>
      <ul>
        {uploads.map((item) => {
          const rate = rateOf(item, now);
          const eta = etaOf(item, now);
          return (
            <li key={item.key} data-phase={item.phase}>
              <span class="name">{item.name}{item.storedAs !== undefined && <span class="stored-as"> · saved as {item.storedAs}</span>}</span>
              <progress max={Math.max(1, item.size)} value={sentBytes(item)} aria-label={`Progress of ${item.name}`} />
              <span class="status">
                {PHASE_LABEL[item.phase]}
                {item.partsResumed > 0 && item.phase !== 'done' && ` · ${item.partsResumed} parts already sent`}
                {' · '}{formatBytes(sentBytes(item))} / {formatBytes(item.size)}
                {rate !== undefined && ` · ${formatRate(rate)}`}
                {eta !== undefined && ` · ${formatDuration(eta)} left`}
                {item.error && ` · ${item.error}`}
                {item.copy && item.phase === 'duplicate' && <> · as <span class="copy-path">{pathOf(item.copy)}</span></>}
              </span>
              <span class="actions">
                {(item.phase === 'uploading' || item.phase === 'starting' || item.phase === 'queued') && <button type="button" onClick={() => onPause(item.key)} aria-label={`Pause ${item.name}`}>Pause</button>}
                {(item.phase === 'paused' || item.phase === 'failed') && <button type="button" onClick={() => onResume(item.key)} aria-label={`Resume ${item.name}`}>Resume</button>}
                {item.phase === 'duplicate' && onUploadAnyway && <button type="button" onClick={() => onUploadAnyway(item.key)} aria-label={`Upload anyway: ${item.name}`}>Upload anyway</button>}
                {item.phase !== 'done' && item.phase !== 'cancelled' && item.phase !== 'duplicate' && <button type="button" onClick={() => onCancel(item.key)} aria-label={`Cancel ${item.name}`}>Cancel</button>}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
