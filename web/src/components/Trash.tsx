/**
 * The trash, for editors and admins (docs/web-app.md "Trash"): deleted files newest first with
 * where they were and until when they can come back; restore or delete forever one, restore all
 * (a job, followed to its end), and for admins "Empty trash". After a bulk job the list is read
 * again from the API, so what it shows is what the server holds.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser, TrashEntry, TrashJob } from '../../../contract/wire';
import * as api from '../api';
import { notify, showError } from '../actions';
import { formatBytes, formatDate } from '../format';

/** How often a trash job is asked about while it runs. */
const JOB_POLL_MS = 1000;

/** Asks `GET /jobs/{id}` until the trash job has ended; `onProgress` sees each state. */
async function followTrashJob(job: TrashJob, onProgress: (job: TrashJob) => void, pollMs = JOB_POLL_MS, getJob = api.getJob): Promise<TrashJob> {
  let current = job;
  while (current.status === 'pending' || current.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const { job: seen } = await getJob(current.id);
    if (seen.kind !== 'trash') break;
    current = seen;
    onProgress(current);
  }
  return current;
}

const place = (entry: TrashEntry): string => `${entry.folder === '/' ? '' : entry.folder}/${entry.name}`;

export function TrashView({ user, pollMs = JOB_POLL_MS }: { readonly user: SessionUser; readonly pollMs?: number }) {
  const [entries, setEntries] = useState<readonly TrashEntry[]>();
  const [cursor, setCursor] = useState<string>();
  const [retentionDays, setRetentionDays] = useState<number>();
  const [running, setRunning] = useState<string>();
  const [busy, setBusy] = useState<string>();

  const load = async (after?: string): Promise<void> => {
    try {
      const page = await api.listTrash(after);
      setEntries((shown) => (after === undefined ? page.entries : [...(shown ?? []), ...page.entries]));
      setCursor(page.nextCursor);
      setRetentionDays(page.retentionDays);
    } catch (error) {
      setEntries((shown) => shown ?? []);
      showError(error, 'list the trash');
    }
  };
  useEffect(() => void load(), []);

  const restore = async (entry: TrashEntry): Promise<void> => {
    setBusy(entry.id);
    try {
      const { file, renamed } = await api.restoreFromTrash(entry.id);
      setEntries((shown) => shown?.filter((e) => e.id !== entry.id));
      notify(renamed ? `Restored ${entry.name} as ${file.name} in ${file.folder} (its place was taken)` : `Restored ${place(entry)}`);
    } catch (error) {
      showError(error, `restore ${entry.name}`);
    } finally {
      setBusy(undefined);
    }
  };
  const purge = async (entry: TrashEntry): Promise<void> => {
    if (!window.confirm(`Delete ${entry.name} forever? It cannot be restored afterwards.`)) return;
    setBusy(entry.id);
    try {
      await api.purgeFromTrash(entry.id);
      setEntries((shown) => shown?.filter((e) => e.id !== entry.id));
      notify(`Deleted ${entry.name} forever`);
    } catch (error) {
      showError(error, `delete ${entry.name} forever`);
    } finally {
      setBusy(undefined);
    }
  };
  const bulk = async (action: 'restore' | 'purge'): Promise<void> => {
    if (action === 'purge' && !window.confirm('Empty the trash of every user? Nothing in it can be restored afterwards.')) return;
    const doing = action === 'restore' ? 'Restoring' : 'Emptying the trash';
    try {
      const { job } = await api.startTrashJob({ action, all: true });
      setRunning(`${doing}…`);
      const ended = await followTrashJob(job, (seen) => setRunning(`${doing}… ${seen.done} done`), pollMs);
      if (ended.status === 'succeeded') notify(action === 'restore' ? `Restored ${ended.done} file${ended.done === 1 ? '' : 's'}` : `Deleted ${ended.done} file${ended.done === 1 ? '' : 's'} forever`);
      else if (ended.status === 'failed') showError(new Error(ended.error?.message ?? 'the job failed'), action === 'restore' ? 'restore all' : 'empty the trash');
    } catch (error) {
      showError(error, action === 'restore' ? 'restore all' : 'empty the trash');
    } finally {
      setRunning(undefined);
      // What the server holds now, not what this page assumed.
      await load();
    }
  };

  if (entries === undefined) return <p class="loading" role="status">Loading…</p>;
  return (
    <section class="users trash" aria-labelledby="trash-title">
      <h1 id="trash-title">Trash</h1>
      <p class="hint">
        Deleted files stay here for {retentionDays ?? '…'} days, then they are gone for good.
        {user.role === 'admin' ? ' You see everyone\'s.' : ' You see the files you uploaded or deleted.'}
      </p>
      <div class="buttons">
        <button type="button" disabled={entries.length === 0 || running !== undefined} onClick={() => void bulk('restore')}>Restore all</button>
        {user.role === 'admin' && <button type="button" class="danger" disabled={entries.length === 0 || running !== undefined} onClick={() => void bulk('purge')}>Empty trash</button>}
      </div>
      <p class="page-status" role="status">{running ?? ''}</p>
      {entries.length === 0 ? <p class="empty">The trash is empty.</p> : (
        <ul class="trash-entries" aria-label="Deleted files, newest first">
          {entries.map((entry) => (
            <li key={entry.id}>
              <span class="name">{entry.name}</span>
              <span class="detail">
                from {entry.folder} · {formatBytes(entry.size)} · deleted by {entry.deletedBy} <time dateTime={entry.deletedAt}>{formatDate(entry.deletedAt)}</time>
                {entry.deletedWithFolder ? ` with folder ${entry.deletedWithFolder}` : ''} · until <time dateTime={entry.expiresAt}>{formatDate(entry.expiresAt)}</time>
              </span>
              <span class="actions">
                <button type="button" disabled={busy === entry.id || running !== undefined} aria-label={`Restore ${entry.name}`} onClick={() => void restore(entry)}>Restore</button>
                <button type="button" class="danger" disabled={busy === entry.id || running !== undefined} aria-label={`Delete forever: ${entry.name}`} onClick={() => void purge(entry)}>Delete forever</button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {cursor !== undefined && <button type="button" onClick={() => void load(cursor)}>Show more</button>}
    </section>
  );
}
