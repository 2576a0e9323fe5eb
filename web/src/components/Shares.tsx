/**
 * Sharing, for editors and admins: the dialog that creates a link to a file or a folder (expiry
 * within the module's limits, "never" only where the module allows it, optional password,
 * downloads, label) and shows it once to copy; the list of shares with revoke and each share's
 * access log.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CreateShareRequest, ShareEvent, ShareLimits, ShareLogEntry, ShareSummary } from '../../../contract/wire';
import * as api from '../api';
import { closeDialog, showError } from '../actions';
import { formatBytes, formatDate } from '../format';
import type { ShareTarget } from '../store';
import { Dialog } from './Dialog';

const DAY_SECONDS = 86_400;
const DEFAULT_SHARE_DAYS = 7;

function shareErrorMessage(error: unknown): string {
  if (error instanceof api.ApiError) return error.status === 400 ? `Check the form: ${error.message}` : error.message;
  return 'Cannot reach the server. Check your connection and try again.';
}

/** The request the form's values make: blank password and label are left out; `days` null: never expires. */
function shareRequest(target: ShareTarget, form: { days: number | null; password: string; allowDownload: boolean; label: string }): CreateShareRequest {
  return {
    ...('folder' in target ? { folder: target.folder } : { fileId: target.fileId }),
    expires: form.days === null ? 'never' : Math.round(form.days * DAY_SECONDS),
    ...(form.password ? { password: form.password } : {}),
    allowDownload: form.allowDownload,
    ...(form.label.trim() ? { label: form.label.trim() } : {}),
  };
}

/** The module's limits, as `GET /shares` tells them. */
const loadShareLimits = async (): Promise<ShareLimits> => (await api.listShares()).limits;

export function ShareDialog({ target, create = api.createShare, loadLimits = loadShareLimits, onClose = closeDialog }: {
  readonly target: ShareTarget;
  readonly create?: typeof api.createShare;
  readonly loadLimits?: () => Promise<ShareLimits>;
  readonly onClose?: () => void;
}) {
  const [limits, setLimits] = useState<ShareLimits>();
  const [days, setDays] = useState(String(DEFAULT_SHARE_DAYS));
  const [never, setNever] = useState(false);
  const [password, setPassword] = useState('');
  const [allowDownload, setAllowDownload] = useState(false);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [link, setLink] = useState<string>();
  const [copied, setCopied] = useState(false);
  const linkInput = useRef<HTMLInputElement>(null);
  const what = 'folder' in target ? `folder ${target.folder}` : target.name;

  useEffect(() => {
    // Without the limits the form still works: the API refuses what they would not allow.
    loadLimits().then((loaded) => {
      setLimits(loaded);
      setDays((d) => String(Math.min(Number(d) || DEFAULT_SHARE_DAYS, loaded.maxDays)));
    }, () => undefined);
  }, [loadLimits]);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await create(shareRequest(target, { days: never && limits?.allowNever ? null : Number(days), password, allowDownload, label }));
      setLink(new URL(created.path, location.origin).href);
    } catch (err) {
      setError(shareErrorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = async (): Promise<void> => {
    linkInput.current?.select();
    try {
      await navigator.clipboard.writeText(link ?? '');
      setCopied(true);
    } catch {
      // No clipboard permission: the link stays selected for Ctrl+C.
    }
  };

  return (
    <Dialog title={`Share ${what}`} onClose={onClose}>
      {link === undefined ? (
        <form onSubmit={(e) => void submit(e)}>
          <label>
            Expires after (days)
            <input type="number" min="1" step="1" required={!never} disabled={never} value={days} onInput={(e) => setDays(e.currentTarget.value)} {...(limits ? { max: String(limits.maxDays), 'aria-describedby': 'share-expiry-limit' } : {})} />
          </label>
          {limits && <p id="share-expiry-limit" class="hint">At most {limits.maxDays} day{limits.maxDays === 1 ? '' : 's'}.</p>}
          {limits?.allowNever && <label class="check"><input type="checkbox" checked={never} onChange={(e) => setNever(e.currentTarget.checked)} />Never expires</label>}
          <label>Password (optional)<input type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
          <label class="check"><input type="checkbox" checked={allowDownload} onChange={(e) => setAllowDownload(e.currentTarget.checked)} />Allow downloads</label>
          <label>Label (optional, shown to visitors)<input value={label} maxLength={200} onInput={(e) => setLabel(e.currentTarget.value)} /></label>
          {error && <p class="error" role="alert">{error}</p>}
          <div class="buttons">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create link'}</button>
          </div>
        </form>
      ) : (
        <div class="share-link">
          <p>Anyone with this link can open {what}{password ? ' with the password' : ''}. It is shown only now.</p>
          <label>Link<input ref={linkInput} readOnly value={link} onFocus={(e) => e.currentTarget.select()} /></label>
          <p role="status">{copied ? 'Copied.' : ''}</p>
          <div class="buttons">
            <button type="button" onClick={() => void copy()}>Copy link</button>
            <button type="button" class="primary" onClick={onClose}>Done</button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

/** `view` is a further page of an album; `open` (counted as the share's views) the first. */
const EVENT_NAMES: Readonly<Record<ShareEvent, string>> = { open: 'Opened', view: 'Viewed more', download: 'Downloaded', unlock: 'Unlocked', upload: 'Uploaded' };
const EVENT_COUNTS: readonly [ShareEvent, string][] = [['open', 'Opens'], ['view', 'Further pages'], ['download', 'Downloads'], ['unlock', 'Unlocks'], ['upload', 'Uploads']];

/** What the log adds up to: events of each kind and the bytes signed. */
export function logTotals(entries: readonly ShareLogEntry[]): { readonly counts: Readonly<Record<ShareEvent, number>>; readonly bytes: number } {
  const counts: Record<ShareEvent, number> = { open: 0, view: 0, download: 0, unlock: 0, upload: 0 };
  let bytes = 0;
  for (const entry of entries) {
    counts[entry.event] += 1;
    bytes += entry.bytes;
  }
  return { counts, bytes };
}

/** A share's access log: totals, then one line per access, newest first. Lines, not a wide table, so it reads on a phone. */
export function ShareLogView({ shareId, what, load = api.shareLog }: { readonly shareId: string; readonly what: string; readonly load?: typeof api.shareLog }) {
  const [entries, setEntries] = useState<readonly ShareLogEntry[]>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    load(shareId).then((log) => setEntries(log.entries), (error: unknown) => setFailed(error instanceof Error ? error.message : String(error)));
  }, [shareId, load]);
  if (failed) return <p class="error" role="alert">Could not load the log: {failed}</p>;
  if (entries === undefined) return <p class="loading" role="status">Loading the log…</p>;
  const { counts, bytes } = logTotals(entries);
  return (
    <section class="share-log" aria-label={`Access log of ${what}`}>
      <dl class="share-log-totals">
        {EVENT_COUNTS.map(([event, name]) => <div key={event}><dt>{name}</dt><dd>{counts[event]}</dd></div>)}
        <div><dt>Bytes served</dt><dd>{formatBytes(bytes)}</dd></div>
      </dl>
      {entries.length === 0 ? <p class="empty">Nobody has opened this link yet.</p> : (
        // Scrolls when long: focusable, so a keyboard can scroll it.
        <ol class="share-log-entries" tabIndex={0} aria-label="Accesses, newest first">
          {entries.map((entry, i) => (
            <li key={`${entry.at}-${i}`}>
              <span class="event">{EVENT_NAMES[entry.event]}</span>
              {entry.name && <span class="name">{entry.name}</span>}
              <span class="detail">
                <time dateTime={entry.at}>{formatDate(entry.at)}</time>
                {entry.bytes > 0 ? ` · ${formatBytes(entry.bytes)}` : ''} · from {entry.ip}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function status(share: ShareSummary, now: number): string {
  if (share.revokedAt) return `Revoked ${formatDate(share.revokedAt)}`;
  if (share.expiresAt === null) return 'Never expires';
  return Date.parse(share.expiresAt) <= now ? `Expired ${formatDate(share.expiresAt)}` : `Until ${formatDate(share.expiresAt)}`;
}

export function SharesList({ list = api.listShares, revoke = api.revokeShare, loadLog = api.shareLog }: {
  readonly list?: typeof api.listShares;
  readonly revoke?: typeof api.revokeShare;
  readonly loadLog?: typeof api.shareLog;
}) {
  const [shares, setShares] = useState<readonly ShareSummary[]>();
  const [logOf, setLogOf] = useState<string>();
  const load = (): void => {
    list().then((answer) => setShares(answer.shares), (error: unknown) => {
      setShares([]);
      showError(error, 'list the shares');
    });
  };
  useEffect(load, [list]);
  const onRevoke = (share: ShareSummary): void => {
    revoke(share.id).then(load, (error: unknown) => showError(error, 'revoke the share'));
  };
  if (shares === undefined) return <p class="loading" role="status">Loading…</p>;
  const now = Date.now();
  return (
    <section class="users" aria-labelledby="shares-title">
      <h1 id="shares-title">Shares</h1>
      {shares.length === 0 ? <p class="empty">No shares yet. Use "Share folder" or select a file and "Share".</p> : (
        <table>
          <thead><tr><th>Shared</th><th>Label</th><th>Status</th><th>Password</th><th>Downloads</th><th>Views</th><th>Last opened</th><th>Actions</th></tr></thead>
          <tbody>
            {shares.map((share) => {
              const what = share.target.kind === 'folder' ? `${share.target.folder}${share.mode === 'drop' ? ' (drop link)' : ''}` : `${share.target.folder === '/' ? '' : share.target.folder}/${share.target.name}`;
              const logShown = logOf === share.id;
              return [
                <tr key={share.id}>
                  <td data-label="Shared">{what}</td>
                  <td data-label="Label">{share.label ?? '—'}</td>
                  <td data-label="Status">{status(share, now)}</td>
                  <td data-label="Password">{share.hasPassword ? 'Yes' : 'No'}</td>
                  <td data-label="Downloads">{share.allowDownload ? 'Allowed' : 'No'}</td>
                  <td data-label="Views">{share.views}</td>
                  <td data-label="Last opened">{share.lastAccessAt ? formatDate(share.lastAccessAt) : '—'}</td>
                  <td>
                    <button type="button" aria-expanded={logShown} aria-controls={`share-log-${share.id}`} onClick={() => setLogOf(logShown ? undefined : share.id)} aria-label={`Access log of ${what}`}>Log</button>
                    {!share.revokedAt && <button type="button" class="danger" onClick={() => onRevoke(share)} aria-label={`Revoke the share of ${what}`}>Revoke</button>}
                  </td>
                </tr>,
                logShown && (
                  <tr key={`${share.id}-log`} id={`share-log-${share.id}`} class="share-log-row">
                    <td colSpan={8}><ShareLogView shareId={share.id} what={what} load={loadLog} /></td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
