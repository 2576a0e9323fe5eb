/**
 * A drop link's public page (`/s/<token>` of a share with `mode: drop`): guests send files into
 * the shared folder and see only the link's label, its quota and their own uploads — never a
 * file of the folder. Uploads run through the app's uploader with the link's endpoints
 * (upload/endpoints.ts), so they are in parts, paused, cancelled and resumed after a reload
 * like an account's.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { GuestUploadView, PublicShareInfo } from '../../../contract/wire';
import * as api from '../api';
import { formatBytes, formatDate } from '../format';
import { store, useStore } from '../store';
import { DropRefused, dropLinkEndpoints, guestUploadsOf, type UploadEndpoints } from '../upload/endpoints';
import { fileKey, type UploadItem } from '../upload/machine';
import { fromDrop, fromInput, type PickedFile } from '../upload/pick';
import { addFiles, cancel, clearFinished, pause, restoreSavedUploads, resume } from '../upload/uploader';
import { UploadPanel } from './UploadPanel';

export interface DropPageProps {
  readonly token: string;
  readonly share: PublicShareInfo;
  /** A password-protected link's session. */
  readonly shareSession?: string;
  /** Builds the link's endpoints (tests pass options such as a fake wait). @default dropLinkEndpoints */
  readonly endpointsFor?: typeof dropLinkEndpoints;
}

interface Quota {
  readonly maxBytes: number;
  readonly usedBytes: number;
  readonly maxFiles: number;
  readonly usedFiles: number;
}

const quotaOf = (share: PublicShareInfo): Quota => ({
  maxBytes: share.maxBytes ?? 0,
  usedBytes: share.usedBytes ?? 0,
  maxFiles: share.maxFiles ?? 0,
  usedFiles: share.usedFiles ?? 0,
});

/** Phases in which an upload of this page holds (or is about to take) a share of the quota. */
const reserves = (item: UploadItem): boolean => item.uploadId !== undefined || item.phase === 'queued' || item.phase === 'starting';

/** An unfinished upload this page can continue with the same file (no new quota needed). */
const resumable = (item: UploadItem | undefined): boolean =>
  item !== undefined && item.uploadId !== undefined && (item.phase === 'needs-file' || item.phase === 'paused' || item.phase === 'failed');

/**
 * Which picked files fit what is left of the quota, in order; resumed uploads take nothing new.
 * The API is the authority (it reserves atomically); this only spares the guest a refusal it can foresee.
 */
function fitQuota(picked: readonly PickedFile[], uploads: readonly UploadItem[], left: { bytes: number; files: number }): { accepted: PickedFile[]; refused: PickedFile[] } {
  let { bytes, files } = left;
  const accepted: PickedFile[] = [];
  const refused: PickedFile[] = [];
  for (const entry of picked) {
    const key = fileKey(entry.file);
    if (resumable(uploads.find((u) => u.key === key))) {
      accepted.push(entry);
    } else if (files >= 1 && entry.file.size <= bytes) {
      accepted.push(entry);
      bytes -= entry.file.size;
      files -= 1;
    } else {
      refused.push(entry);
    }
  }
  return { accepted, refused };
}

type Notice = { readonly id: number; readonly text: string };

export function DropPage({ token, share, shareSession, endpointsFor = dropLinkEndpoints }: DropPageProps) {
  const uploads = useStore((s) => s.uploads);
  const [endpoints, setEndpoints] = useState<UploadEndpoints>();
  const [quota, setQuota] = useState<Quota>(() => quotaOf(share));
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  const [gone, setGone] = useState(false);
  const [earlier, setEarlier] = useState<readonly GuestUploadView[]>([]);
  const [dragging, setDragging] = useState(false);
  /** Keys of uploads this page started anew: their reservations are not yet in `quota`. */
  const started = useRef(new Set<string>());
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const failedSeen = useRef(0);

  const notify = (text: string): void => setNotices((list) => (list.some((n) => n.text === text) ? list : [...list, { id: Date.now() + list.length, text }]));

  /** Asks the API again: the link's usage now, or that it is gone. */
  const recheck = (): void => {
    api.openShare(token, shareSession).then(
      (answer) => {
        started.current = new Set([...started.current].filter((key) => store.get().uploads.some((u) => u.key === key && u.uploadId === undefined && reserves(u))));
        setQuota(quotaOf(answer.share));
      },
      (error: unknown) => {
        if (error instanceof api.ApiError && error.status === 404) setGone(true);
      },
    );
  };

  useEffect(() => {
    let live = true;
    const options = {
      ...(shareSession ? { shareSession } : {}),
      onRefused: (refusal: DropRefused) => {
        if (!live) return;
        if (refusal.reason === 'gone') return setGone(true);
        notify(refusal.message);
        if (refusal.reason === 'quota') recheck();
      },
    };
    void endpointsFor(token, options).then(async (link) => {
      if (!live) return;
      // A cancelled upload's reservation comes back with its abort: show the quota it frees.
      const made: UploadEndpoints = {
        ...link,
        abortUpload: async (uploadId) => {
          await link.abortUpload(uploadId);
          if (live) recheck();
        },
      };
      setEndpoints(made);
      const [list] = await Promise.all([guestUploadsOf(token, options).catch(() => ({ uploads: [] })), restoreSavedUploads(made)]);
      const known = new Set(store.get().uploads.map((u) => u.uploadId));
      if (live) setEarlier(list.uploads.filter((u) => !known.has(u.uploadId)));
    }, () => notify('This browser cannot upload here: it lacks the Web Crypto API (open the link over https).'));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token, shareSession]);

  // A failure the endpoints did not explain (storage refusing an expired URL, the network): is the link still there?
  const failed = uploads.filter((u) => u.phase === 'failed').length;
  useEffect(() => {
    if (failed > failedSeen.current) recheck();
    failedSeen.current = failed;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [failed]);

  const reservedHere = uploads.filter((u) => started.current.has(u.key) && reserves(u));
  const bytesLeft = Math.max(0, quota.maxBytes - quota.usedBytes - reservedHere.reduce((sum, u) => sum + u.size, 0));
  const filesLeft = Math.max(0, quota.maxFiles - quota.usedFiles - reservedHere.length);

  const send = (picked: readonly PickedFile[]): void => {
    if (!endpoints || !picked.length) return;
    const current = store.get().uploads;
    const { accepted, refused } = fitQuota(picked, current, { bytes: bytesLeft, files: filesLeft });
    if (refused.length) {
      notify(`Not sent, over this link's quota (${formatBytes(bytesLeft)} and ${filesLeft} ${filesLeft === 1 ? 'file' : 'files'} left): ${refused.map((p) => `${p.file.name} (${formatBytes(p.file.size)})`).join(', ')}.`);
    }
    for (const { file } of accepted) if (!resumable(current.find((u) => u.key === fileKey(file)))) started.current.add(fileKey(file));
    // The folder is the link's: files of a picked folder arrive side by side.
    if (accepted.length) addFiles(accepted.map(({ file }) => ({ file, folder: '/' })), endpoints);
  };

  const title = share.label ?? 'Send files';
  const open = !gone && endpoints !== undefined;
  return (
    <main class="share-page drop" aria-labelledby="drop-title">
      <header class="share-head">
        <h1 id="drop-title">{title}</h1>
        <p class="share-meta">
          Files you send here go to the person who shared this link. You see only your own uploads.
          {share.expiresAt && !gone ? ` Open until ${formatDate(share.expiresAt)}.` : ''}
        </p>
      </header>
      {!gone && <section class="drop-quota" aria-label="Quota">
        <p>
          <strong>{formatBytes(bytesLeft)}</strong> of {formatBytes(quota.maxBytes)} left · <strong>{filesLeft}</strong> of {quota.maxFiles} files left
        </p>
        <progress max={Math.max(1, quota.maxBytes)} value={quota.maxBytes - bytesLeft} aria-label="Quota used" />
      </section>}
      {gone && <p class="error" role="alert">This link has expired or was revoked: it takes no more files.</p>}
      {notices.map((n) => (
        <p key={n.id} class="error drop-notice" role="alert">
          {n.text}
          <button type="button" onClick={() => setNotices((list) => list.filter((x) => x.id !== n.id))} aria-label="Dismiss this message">Dismiss</button>
        </p>
      ))}
      {open && (
        <div
          class={`drop-zone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={(e) => {
            if (e.currentTarget === e.target) setDragging(false);
          }}
          onDrop={(e) => {
            if (!e.dataTransfer) return;
            e.preventDefault();
            setDragging(false);
            void fromDrop(e.dataTransfer, '/').then(send);
          }}
        >
          <p>Drop files or folders here</p>
          <div class="drop-actions">
            <button type="button" class="primary" onClick={() => filesInput.current?.click()}>Choose files</button>
            <button type="button" onClick={() => folderInput.current?.click()}>Choose a folder</button>
          </div>
          <input ref={filesInput} class="hidden-input" type="file" multiple aria-label="Choose files to send" onChange={(e) => { send(fromInput(e.currentTarget.files, '/')); e.currentTarget.value = ''; }} />
          <input ref={folderInput} class="hidden-input" type="file" {...{ webkitdirectory: '' }} aria-label="Choose a folder to send" onChange={(e) => { send(fromInput(e.currentTarget.files, '/')); e.currentTarget.value = ''; }} />
        </div>
      )}
      {earlier.length > 0 && (
        <section class="drop-earlier" aria-label="Unfinished uploads from before">
          <h2>Unfinished uploads from before</h2>
          <p class="share-meta">These cannot be continued from this page; choose a file again to send it anew.</p>
          <ul>
            {earlier.map((u) => <li key={u.uploadId}>{u.fileName} · {formatBytes(u.size)} · until {formatDate(u.expiresAt)}</li>)}
          </ul>
        </section>
      )}
      <UploadPanel uploads={uploads} onPause={pause} onResume={resume} onCancel={cancel} onClear={clearFinished} />
    </main>
  );
}
