/** The message under the header: a confirmation (goes by itself) or an error (stays until dismissed). */
import { dismissNotice } from '../actions';
import { useStore } from '../store';

export function NoticeBar() {
  const notice = useStore((s) => s.notice);
  if (!notice) return null;
  return (
    <div class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      <button type="button" onClick={dismissNotice} aria-label="Dismiss message">✕</button>
    </div>
  );
}
