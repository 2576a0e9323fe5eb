/**
 * Uploads as a small ring in the top bar (the share of bytes sent, the files finished): it never
 * covers or shrinks the grid. A tap opens the full list (UploadPanel) over the screen; a second
 * tap, Esc or the list's close button folds it again.
 */
import { useEffect, useState } from 'preact/hooks';
import { clearFinished, cancel, pause, resume, uploadAnyway } from '../upload/uploader';
import { totalsOf, type UploadItem } from '../upload/machine';
import { UploadPanel } from './UploadPanel';

export function UploadIndicator({ uploads }: { readonly uploads: readonly UploadItem[] }) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (uploads.length === 0) return null;
  const totals = totalsOf(uploads, performance.now());
  const percent = totals.bytes > 0 ? Math.floor((totals.sent / totals.bytes) * 100) : 100;
  const failed = uploads.some((u) => u.phase === 'failed' || u.phase === 'needs-file');
  // The name holds the visible count (axe: label-content-name-mismatch).
  const label = `Uploads ${totals.finished}/${totals.files} done, ${percent} %${failed ? ', some need attention' : ''}`;
  return (
    <>
      <button
        type="button"
        class={`upload-indicator${failed ? ' failed' : ''}`}
        aria-expanded={open}
        aria-controls="upload-list"
        aria-label={label}
        title={label}
        onClick={() => setOpen(!open)}
        style={{ '--done': `${percent}%` }}
      >
        <span class="ring" aria-hidden="true" />
        <span aria-hidden="true">{totals.finished}/{totals.files}</span>
      </button>
      {open && (
        <div id="upload-list" class="upload-popover">
          <UploadPanel uploads={uploads} onPause={pause} onResume={resume} onCancel={cancel} onClear={clearFinished} onUploadAnyway={uploadAnyway} onClose={() => setOpen(false)} />
        </div>
      )}
    </>
  );
}
