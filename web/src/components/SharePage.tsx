/**
 * The public page of a share, `/s/<token>`: no login, no session of the app. A file share shows
 * the image or the video player; an album shows the grid and the lightbox (the app's own, with
 * the thumbnails and previews the API signs for visitors); a download button, and for an album
 * "Download all" (one ZIP streamed in the browser), only when the share allows downloads. A
 * password-protected share asks for its password first; an unknown, expired or revoked link
 * (the API answers all three with the same 404) is "not available".
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { FileItem, PublicFile, PublicShare } from '../../../contract/wire';
import * as api from '../api';
import { followLink, LINK_RENEW_MARGIN_MS, saveZipOfLinks, type UsableLink } from '../actions';
import { formatBytes, formatDate, formatDuration } from '../format';
import { DropPage } from './DropPage';
import { Grid } from './Grid';
import { Lightbox, VideoPlayer } from './Lightbox';

/** A visitor's file in the shape the grid and lightbox take: no folder, uploader or tags. */
export const asFileItem = (file: PublicFile): FileItem => ({
  ...file,
  fileType: file.fileType === 'image' || file.fileType === 'video' ? file.fileType : 'other',
  folder: '',
  uploadedBy: '',
  tags: [],
});

function unlockMessage(error: unknown): string {
  if (error instanceof api.ApiError) {
    if (error.status === 429) {
      return error.retryAfterSeconds
        ? `Too many wrong passwords. Try again in ${formatDuration(error.retryAfterSeconds)}.`
        : 'Too many wrong passwords. Try again later.';
    }
    if (error.status === 401 || error.status === 400) return 'Wrong password.';
    if (error.status === 404) return 'This link is not available.';
    return `Could not open the share: ${error.message}`;
  }
  return 'Cannot reach the server. Check your connection and try again.';
}

/** Links asked for at once: the API's most per request. */
const LINKS_PER_REQUEST = 200;

/** A ZIP's file name from the album's title: no path separators or characters systems refuse. */
export const zipNameOf = (title: string): string => `${title.replace(/[\p{Cc}/\\:*?"<>|]+/gu, '-').trim() || 'album'}.zip`;

/**
 * Every file of the album (the pages not loaded yet too), their download links in batches, then
 * one ZIP of them. Returns how many files it holds and how many could not be included (removed
 * since the page was loaded).
 */
export async function downloadAlbum(
  token: string,
  shareSession: string | undefined,
  loaded: { readonly files: readonly FileItem[]; readonly nextCursor: string | null },
  zipName: string,
  save: typeof saveZipOfLinks = saveZipOfLinks,
): Promise<{ included: number; missing: number }> {
  const files = [...loaded.files];
  for (let cursor = loaded.nextCursor; cursor !== null;) {
    const page = await api.openShare(token, shareSession, cursor);
    files.push(...(page.files ?? []).map(asFileItem));
    cursor = page.nextCursor ?? null;
  }
  const signLinks = async (ids: readonly string[]): Promise<UsableLink[]> =>
    (await api.shareLinks(token, ids, shareSession)).links.flatMap((link) => ('url' in link ? [link] : []));
  const usable: UsableLink[] = [];
  for (let i = 0; i < files.length; i += LINKS_PER_REQUEST) usable.push(...(await signLinks(files.slice(i, i + LINKS_PER_REQUEST).map((f) => f.id))));
  // A link about to expire before its turn is signed again with the next batch from it on.
  const renewed = new Map<string, UsableLink>();
  const renew = async (link: UsableLink): Promise<UsableLink> => {
    const cached = renewed.get(link.id);
    if (cached && Date.parse(cached.urlExpiresAt) - Date.now() >= LINK_RENEW_MARGIN_MS) return cached;
    const from = usable.findIndex((l) => l.id === link.id);
    for (const fresh of await signLinks(usable.slice(from, from + LINKS_PER_REQUEST).map((l) => l.id))) renewed.set(fresh.id, fresh);
    const fresh = renewed.get(link.id);
    if (!fresh) throw new Error(`${link.name} is no longer in the album`);
    return fresh;
  };
  if (usable.length > 0) await save(usable, files, zipName, renew);
  return { included: usable.length, missing: files.length - usable.length };
}

function DownloadAll({ token, shareSession, loaded, zipName }: {
  readonly token: string;
  readonly shareSession: string | undefined;
  readonly loaded: { readonly files: readonly FileItem[]; readonly nextCursor: string | null };
  readonly zipName: string;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ readonly error: boolean; readonly text: string }>();
  const start = (): void => {
    setBusy(true);
    setMessage({ error: false, text: 'Preparing the ZIP…' });
    downloadAlbum(token, shareSession, loaded, zipName).then(
      ({ included, missing }) => setMessage({
        error: included === 0,
        text: included === 0 ? 'There is nothing left to download.' : `Saving ${included} file${included === 1 ? '' : 's'} as ${zipName}${missing ? ` (${missing} no longer available)` : ''}.`,
      }),
      (error: unknown) => setMessage({ error: true, text: error instanceof api.ApiError && error.status === 404 ? 'This link is not available.' : `Could not download the album: ${error instanceof Error ? error.message : String(error)}` }),
    ).finally(() => setBusy(false));
  };
  return (
    <>
      <button type="button" class="primary" onClick={start} disabled={busy}>{busy ? 'Preparing…' : 'Download all'}</button>
      {message && <p class={message.error ? 'error' : 'share-meta'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
    </>
  );
}

type PageState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'password' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'open'; readonly answer: PublicShare; readonly files: readonly FileItem[]; readonly nextCursor: string | null };

function NotAvailable() {
  return (
    <main class="share-page gone">
      <h1>This link is not available</h1>
      <p>It may have expired or been revoked. Ask the person who sent it for a new one.</p>
    </main>
  );
}

function PasswordForm({ token, onUnlocked }: { readonly token: string; readonly onUnlocked: (session: string) => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onUnlocked((await api.unlockShare(token, password)).session);
    } catch (err) {
      setError(unlockMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="share-password-title">
        <h1 id="share-password-title">This share is protected</h1>
        <label>
          Password
          <input type="password" autoComplete="off" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Opening…' : 'Open'}</button>
      </form>
    </main>
  );
}

export function SharePage({ token }: { readonly token: string }) {
  const [state, setState] = useState<PageState>({ kind: 'loading' });
  const [shareSession, setShareSession] = useState<string>();
  const [viewing, setViewing] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const asked = useRef<string | null>(null);

  const failed = (error: unknown): PageState => {
    if (error instanceof api.ApiError && error.status === 404) return { kind: 'gone' };
    if (error instanceof api.ApiError && error.code === 'SharePasswordRequired') return { kind: 'password' };
    return { kind: 'failed', message: unlockMessage(error) };
  };

  useEffect(() => {
    api.openShare(token, shareSession).then(
      (answer) => setState({ kind: 'open', answer, files: (answer.files ?? []).map(asFileItem), nextCursor: answer.nextCursor ?? null }),
      (error: unknown) => setState(failed(error)),
    );
  }, [token, shareSession]);

  const nextCursor = state.kind === 'open' ? state.nextCursor : null;
  const onNearEnd = useCallback(() => {
    if (nextCursor === null || loadingMore || asked.current === nextCursor) return;
    // Asked once per cursor: the grid may ask again before this render knows a page is on its way.
    asked.current = nextCursor;
    setLoadingMore(true);
    api.openShare(token, shareSession, nextCursor).then(
      // Appended only where it follows: a page never lands twice.
      (answer) => setState((s) => (s.kind === 'open' && s.nextCursor === nextCursor ? { ...s, files: [...s.files, ...(answer.files ?? []).map(asFileItem)], nextCursor: answer.nextCursor ?? null } : s)),
      (error: unknown) => setState(failed(error)),
    ).finally(() => setLoadingMore(false));
  }, [token, shareSession, nextCursor, loadingMore]);

  if (state.kind === 'loading') return <p class="loading" role="status">Loading…</p>;
  if (state.kind === 'gone') return <NotAvailable />;
  if (state.kind === 'password') return <PasswordForm token={token} onUnlocked={setShareSession} />;
  if (state.kind === 'failed') return <main class="share-page"><p class="error" role="alert">{state.message}</p></main>;

  const { share, file } = state.answer;
  const download = share.allowDownload
    ? (f: Pick<FileItem, 'id'> & { readonly downloadUrl?: string }): void => {
      if (f.downloadUrl) followLink(f.downloadUrl);
      else api.shareDownload(token, f.id, shareSession).then((d) => followLink(d.url), (error: unknown) => setState(failed(error)));
    }
    : undefined;
  const title = share.label ?? (file ? file.name : 'Shared album');
  const expiry = share.expiresAt ? `Available until ${formatDate(share.expiresAt)}` : undefined;

  if (share.mode === 'drop') {
    return <DropPage token={token} share={share} {...(shareSession ? { shareSession } : {})} />;
  }
  if (file) {
    const item = asFileItem(file);
    return (
      <main class="share-page single">
        <header class="share-head">
          <h1>{title}</h1>
          {download && <button type="button" class="primary" onClick={() => download(file)}>Download</button>}
        </header>
        <div class="share-stage">
          {item.fileType === 'image' && (item.previewUrl ?? item.url) ? (
            <img class="media" src={item.previewUrl ?? item.url} alt={item.name} />
          ) : item.fileType === 'image' ? (
            <p>No preview of {item.name} yet.</p>
          ) : item.fileType === 'video' ? (
            <VideoPlayer file={item} {...(download ? { onDownload: () => download(file) } : {})} />
          ) : (
            <p>{item.name} ({item.contentType})</p>
          )}
        </div>
        <p class="share-meta">{item.name} · {formatBytes(item.size)}{expiry ? ` · ${expiry}` : ''}</p>
      </main>
    );
  }

  const files = state.files;
  const index = files.findIndex((f) => f.id === viewing);
  const current = index >= 0 ? files[index] : undefined;
  return (
    <main class="share-page album" aria-label={title}>
      <header class="share-head">
        <h1>{title}</h1>
        <p class="share-meta">{files.length}{state.nextCursor !== null ? '+' : ''} files{expiry ? ` · ${expiry}` : ''}</p>
        {download && files.length > 0 && <DownloadAll token={token} shareSession={shareSession} loaded={state} zipName={zipNameOf(title)} />}
      </header>
      {files.length === 0 ? (
        <p class="empty">This album is empty.</p>
      ) : (
        <Grid files={files} selected={[]} selectable={false} onOpen={(f) => setViewing(f.id)} onToggle={() => undefined} onNearEnd={onNearEnd} hasMore={state.nextCursor !== null} />
      )}
      {current && (
        <Lightbox
          file={current}
          hasPrevious={index > 0}
          hasNext={index < files.length - 1}
          onPrevious={() => setViewing(files[index - 1]?.id)}
          onNext={() => setViewing(files[index + 1]?.id)}
          onClose={() => setViewing(undefined)}
          {...(download ? { onDownload: download } : {})}
        />
      )}
    </main>
  );
}
