/**
 * Sharing, for editors and admins: the dialog that creates a link to a file or a folder (expiry,
 * optional password, downloads, label) and shows it once to copy, and the list of shares with revoke.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CreateShareRequest, ShareSummary } from '../../../contract/wire';
import * as api from '../api';
import { closeDialog, showError } from '../actions';
import { formatDate } from '../format';
import type { ShareTarget } from '../store';
import { Dialog } from './Dialog';

const DAY_SECONDS = 86_400;
export const DEFAULT_SHARE_DAYS = 7;

export function shareErrorMessage(error: unknown): string {
  if (error instanceof api.ApiError) return error.status === 400 ? `Check the form: ${error.message}` : error.message;
  return 'Cannot reach the server. Check your connection and try again.';
}

/** The request the form's values make: blank password and label are left out. */
export function shareRequest(target: ShareTarget, form: { days: number; password: string; allowDownload: boolean; label: string }): CreateShareRequest {
  return {
    ...('folder' in target ? { folder: target.folder } : { fileId: target.fileId }),
    expires: Math.round(form.days * DAY_SECONDS),
    ...(form.password ? { password: form.password } : {}),
    allowDownload: form.allowDownload,
    ...(form.label.trim() ? { label: form.label.trim() } : {}),
  };
}

export function ShareDialog({ target, create = api.createShare, onClose = closeDialog }: {
  readonly target: ShareTarget;
  readonly create?: typeof api.createShare;
  readonly onClose?: () => void;
}) {
  const [days, setDays] = useState(String(DEFAULT_SHARE_DAYS));
  const [password, setPassword] = useState('');
  const [allowDownload, setAllowDownload] = useState(false);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [link, setLink] = useState<string>();
  const [copied, setCopied] = useState(false);
  const linkInput = useRef<HTMLInputElement>(null);
  const what = 'folder' in target ? `folder ${target.folder}` : target.name;

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await create(shareRequest(target, { days: Number(days), password, allowDownload, label }));
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
          <label>Expires after (days)<input type="number" min="1" step="1" required value={days} onInput={(e) => setDays(e.currentTarget.value)} /></label>
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

function status(share: ShareSummary, now: number): string {
  if (share.revokedAt) return `Revoked ${formatDate(share.revokedAt)}`;
  if (share.expiresAt === null) return 'Never expires';
  return Date.parse(share.expiresAt) <= now ? `Expired ${formatDate(share.expiresAt)}` : `Until ${formatDate(share.expiresAt)}`;
}

export function SharesList({ list = api.listShares, revoke = api.revokeShare }: { readonly list?: typeof api.listShares; readonly revoke?: typeof api.revokeShare }) {
  const [shares, setShares] = useState<readonly ShareSummary[]>();
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
              return (
                <tr key={share.id}>
                  <td data-label="Shared">{what}</td>
                  <td data-label="Label">{share.label ?? '—'}</td>
                  <td data-label="Status">{status(share, now)}</td>
                  <td data-label="Password">{share.hasPassword ? 'Yes' : 'No'}</td>
                  <td data-label="Downloads">{share.allowDownload ? 'Allowed' : 'No'}</td>
                  <td data-label="Views">{share.views}</td>
                  <td data-label="Last opened">{share.lastAccessAt ? formatDate(share.lastAccessAt) : '—'}</td>
                  <td>{!share.revokedAt && <button type="button" class="danger" onClick={() => onRevoke(share)} aria-label={`Revoke the share of ${what}`}>Revoke</button>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
