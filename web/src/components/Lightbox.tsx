/**
 * One file full-screen: the preview (the original on demand), a video player, ←/→ and swipe
 * to the neighbours, swipe down or Esc to close, pinch and double-tap to zoom (gestures.ts),
 * and the metadata panel.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FileItem } from '../../../contract/wire';
import { formatBytes, formatDate, formatDuration } from '../format';
import { attachGestures } from './gestures';
import { Icon } from './Icon';
import { MenuToggle, useMenu } from './Menu';

export interface LightboxProps {
  readonly file: FileItem;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
  readonly onPrevious: () => void;
  readonly onNext: () => void;
  readonly onClose: () => void;
  /** Absent: no download button (a share that does not allow downloads). */
  readonly onDownload?: (file: FileItem) => void;
  /** Write actions, absent for viewers. */
  readonly actions?: { readonly rename: () => void; readonly details: () => void; readonly share?: () => void };
}

/** Whether this browser can play the video as stored: the server's verdict, else the browser's. */
export function canPlay(file: Pick<FileItem, 'contentType' | 'browserPlayable'>, probe: (type: string) => string = (t) => document.createElement('video').canPlayType(t)): boolean {
  if (file.browserPlayable !== undefined) return file.browserPlayable;
  if (file.contentType === 'video/quicktime') return false;
  return probe(file.contentType) !== '';
}

/** RFC 6381 codec strings of the codecs a browser might play, for `canPlayType`. */
const CODEC_STRINGS: Readonly<Record<string, (bitDepth: number) => string>> = {
  h264: () => 'avc1.640028',
  hevc: (depth) => (depth > 8 ? 'hvc1.2.4.L123.B0' : 'hvc1.1.6.L123.B0'),
  vp8: () => 'vp8',
  vp9: (depth) => (depth > 8 ? 'vp09.02.10.10' : 'vp09.00.10.08'),
  av1: (depth) => (depth > 8 ? 'av01.0.05M.10' : 'av01.0.05M.08'),
};

/**
 * Whether this browser can play the original, asked with its codec where the server probed it
 * (Safari plays HEVC, Chromium does not); without a probe, as `canPlay` says.
 */
export function canPlayOriginal(file: Pick<FileItem, 'contentType' | 'browserPlayable' | 'video'>, probe: (type: string) => string = (t) => document.createElement('video').canPlayType(t)): boolean {
  const video = file.video;
  if (video === undefined) return canPlay(file, probe);
  if (video.action === 'none') return true;
  const codec = video.videoCodec !== undefined ? CODEC_STRINGS[video.videoCodec]?.(video.bitDepth ?? 8) : undefined;
  const type = video.container === 'mp4' || video.container === 'mov' ? 'video/mp4' : video.container === 'webm' ? 'video/webm' : undefined;
  if (codec === undefined || type === undefined) return false;
  return probe(`${type}; codecs="${codec}"`) === 'probably';
}

/**
 * What the player shows: the playable copy by default once it exists, the original where this
 * browser plays it (or as the choice beside the copy), a note while processing reads the video
 * or the copy is being made, that the file could not be read (with processing's reason) when
 * its decoders refused it, and "cannot play" only when there is no copy and the original will not play.
 */
type VideoView =
  | { readonly kind: 'play'; readonly src: string; readonly which: 'copy' | 'original'; readonly other?: 'copy' | 'original'; readonly making?: boolean }
  | { readonly kind: 'making' }
  | { readonly kind: 'processing' }
  | { readonly kind: 'unreadable'; readonly reason?: string }
  | { readonly kind: 'cannot-play'; readonly reason?: string };

export function videoView(file: Pick<FileItem, 'url' | 'contentType' | 'browserPlayable' | 'video' | 'processing' | 'processingReason'>, choice: 'copy' | 'original' | undefined, originalPlays: boolean): VideoView {
  const copyUrl = file.video?.copyUrl;
  const original = file.url !== undefined && originalPlays ? file.url : undefined;
  if (copyUrl !== undefined) {
    if (choice === 'original' && original !== undefined) return { kind: 'play', src: original, which: 'original', other: 'copy' };
    return { kind: 'play', src: copyUrl, which: 'copy', ...(original !== undefined ? { other: 'original' } : {}) };
  }
  const making = file.video?.copy?.state === 'pending';
  if (original !== undefined) return { kind: 'play', src: original, which: 'original', ...(making ? { making } : {}) };
  if (making) return { kind: 'making' };
  // Not read yet: processing decides whether a copy is needed (it usually is, for what does not play here).
  if (file.processing === 'pending') return { kind: 'processing' };
  if (file.processing === 'failed') return { kind: 'unreadable', ...(file.processingReason !== undefined ? { reason: file.processingReason } : {}) };
  const reason = file.video?.copy?.state === 'failed' ? file.video.copy.reason : undefined;
  return { kind: 'cannot-play', ...(reason !== undefined ? { reason } : {}) };
}

type PlayerFile = Pick<FileItem, 'id' | 'name' | 'url' | 'posterUrl' | 'contentType' | 'browserPlayable' | 'width' | 'height' | 'video' | 'processing' | 'processingReason'>;

export function VideoPlayer({ file, onDownload }: { readonly file: PlayerFile; readonly onDownload?: () => void }) {
  const [failed, setFailed] = useState(false);
  const [choice, setChoice] = useState<'copy' | 'original' | undefined>(undefined);
  useEffect(() => {
    setFailed(false);
    setChoice(undefined);
  }, [file.id]);
  const view = videoView(file, choice, canPlayOriginal(file) && !failed);
  const poster = file.posterUrl ? <img class="poster" src={file.posterUrl} alt="" width={file.width ?? 320} height={file.height ?? 240} /> : <Icon type="video" size={64} />;
  if (view.kind === 'making') {
    return (
      <div class="unplayable" role="status">
        {poster}
        <p>Making a playable copy of {file.name}…</p>
      </div>
    );
  }
  if (view.kind === 'processing') {
    return (
      <div class="unplayable" role="status">
        {poster}
        <p>Preparing {file.name} for playback…</p>
      </div>
    );
  }
  if (view.kind === 'unreadable') {
    // Not a browser's limit: no player reads it as it is. The original stays as uploaded.
    return (
      <div class="unplayable" role="status">
        {poster}
        <p>{file.name} could not be read as a video{view.reason ? ` (${view.reason})` : ''}. The original is kept as uploaded.</p>
        {onDownload && <button type="button" class="primary" onClick={onDownload}>Download the original</button>}
      </div>
    );
  }
  if (view.kind === 'cannot-play') {
    // The processing's poster (a frame of the video) still shows what it is.
    return (
      <div class="unplayable" role="status">
        {poster}
        <p>This browser cannot play {file.name} ({file.contentType}{view.reason ? `: ${view.reason}` : file.contentType === 'video/quicktime' || file.contentType === 'video/hevc' ? ', often HEVC' : file.browserPlayable === false ? ': a video codec browsers do not play, such as HEVC' : ''}).</p>
        {onDownload && <button type="button" class="primary" onClick={onDownload}>Download to play it</button>}
      </div>
    );
  }
  return (
    <div class="player">
      <video
        key={`${file.id}-${view.which}`}
        class="media"
        src={view.src}
        poster={file.posterUrl}
        controls
        playsInline
        preload="metadata"
        aria-label={file.name}
        data-source={view.which}
        onError={() => {
          // A copy that fails leaves the original to try; an original that fails, the copy or the message.
          if (view.which === 'original') setFailed(true);
        }}
      />
      {(view.other !== undefined || view.making) && (
        <p class="player-note">
          {view.making && <span role="status">Making a playable copy… </span>}
          {view.other !== undefined && (
            <button type="button" onClick={() => setChoice(view.other)}>
              {view.other === 'original' ? 'Original' : 'Playable copy'}
            </button>
          )}
        </p>
      )}
    </div>
  );
}

function Metadata({ file }: { readonly file: FileItem }) {
  const rows: [string, string][] = [
    ['Size', formatBytes(file.size)],
    ['Type', file.contentType],
    ...(file.width && file.height ? [['Dimensions', `${file.width} × ${file.height}`] as [string, string]] : []),
    ...(file.durationSeconds ? [['Duration', formatDuration(file.durationSeconds)] as [string, string]] : []),
    ...(file.takenAt ? [['Taken', formatDate(file.takenAt)] as [string, string]] : []),
    ['Uploaded', formatDate(file.uploadedAt)],
    // A shared file's visitor is not told who uploaded it, where it lives or how it is tagged.
    ...(file.folder ? [['Uploaded by', file.uploadedBy], ['Folder', file.folder], ['Tags', file.tags.length ? file.tags.join(', ') : '—'], ['Description', file.description ?? '—']] as [string, string][] : []),
  ];
  return (
    <dl class="metadata">
      {rows.map(([term, value]) => [<dt key={`${term}-t`}>{term}</dt>, <dd key={`${term}-d`}>{value}</dd>])}
    </dl>
  );
}

export function Lightbox({ file, hasPrevious, hasNext, onPrevious, onNext, onClose, onDownload, actions }: LightboxProps) {
  const [original, setOriginal] = useState(false);
  const [showInfo, setShowInfo] = useState(false);
  const moreMenu = useMenu();
  const closeButton = useRef<HTMLButtonElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const picture = useRef<HTMLDivElement>(null);
  const gestures = useRef<ReturnType<typeof attachGestures> | undefined>(undefined);

  useEffect(() => {
    setOriginal(false);
    moreMenu.setOpen(false);
    gestures.current?.reset();
  }, [file.id]);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    return () => opener?.focus?.();
  }, []);
  // One listener for the lightbox's life, reading the latest props: re-registering it on every
  // render (its handlers change each time) left a window where a key press could be handled
  // with a stale position.
  const keys = useRef({ hasPrevious, hasNext, onPrevious, onNext, onClose });
  keys.current = { hasPrevious, hasNext, onPrevious, onNext, onClose };
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.target as HTMLElement | null)?.closest?.('input, textarea, video')) return;
      const current = keys.current;
      if (event.key === 'Escape') current.onClose();
      else if (event.key === 'ArrowLeft' && current.hasPrevious) current.onPrevious();
      else if (event.key === 'ArrowRight' && current.hasNext) current.onNext();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    const element = stage.current;
    if (element) {
      gestures.current = attachGestures(element, () => picture.current, {
        next: () => keys.current.hasNext && keys.current.onNext(),
        previous: () => keys.current.hasPrevious && keys.current.onPrevious(),
        close: () => keys.current.onClose(),
        has: () => ({ next: keys.current.hasNext, previous: keys.current.hasPrevious }),
      });
    }
    return () => {
      window.removeEventListener('keydown', onKey);
      gestures.current?.detach();
    };
  }, []);

  // The actions a phone keeps behind the bar's toggle (the bar shows the title, Info, Download, Close).
  const more = [
    file.fileType === 'image' && file.previewUrl && file.url && !original && <button type="button" key="original" onClick={() => setOriginal(true)}>Show original</button>,
    actions && <button type="button" key="rename" onClick={actions.rename}>Rename</button>,
    actions && <button type="button" key="details" onClick={actions.details}>Edit tags</button>,
    actions?.share && <button type="button" key="share" onClick={actions.share}>Share</button>,
  ].filter(Boolean);

  // A visitor of a share without downloads has no original of a photo: only its preview.
  const preview = file.previewUrl && (!original || !file.url) ? file.previewUrl : file.url;
  return (
    <div
      class="lightbox"
      role="dialog"
      aria-modal="true"
      aria-label={file.name}
    >
      <div class="lightbox-bar">
        <span class="title">{file.name}</span>
        <button type="button" onClick={() => setShowInfo(!showInfo)} aria-pressed={showInfo}>Info</button>
        {onDownload && <button type="button" onClick={() => onDownload(file)}>Download</button>}
        {more.length > 0 && (
          <MenuToggle {...moreMenu.toggle} class="lightbox-more-toggle" controls="lightbox-more" label="More actions" />
        )}
        {/* On a wide screen these stand in the bar; on a phone they are the menu behind the toggle. */}
        <div id="lightbox-more" class={`lightbox-more${moreMenu.open ? ' open' : ''}`} {...moreMenu.panel}>
          {more}
        </div>
        <button type="button" ref={closeButton} class="close" onClick={onClose} aria-label="Close">✕</button>
      </div>
      <div class="lightbox-body">
        <button type="button" class="nav previous" onClick={onPrevious} disabled={!hasPrevious} aria-label="Previous file">‹</button>
        <div class="stage" ref={stage}>
          <div class="picture" ref={picture}>
          {file.fileType === 'image' && preview ? (
            <img class="media" src={preview} alt={file.description ?? file.name} {...(file.width && file.height && !original ? { width: file.width, height: file.height } : {})} />
          ) : file.fileType === 'image' ? (
            <div class="unplayable"><Icon type="image" size={64} /><p>No preview of {file.name} yet.</p></div>
          ) : file.fileType === 'video' ? (
            <VideoPlayer file={file} {...(onDownload ? { onDownload: () => onDownload(file) } : {})} />
          ) : (
            <div class="unplayable"><Icon type="other" size={64} /><p>No preview for {file.contentType}.</p></div>
          )}
          </div>
        </div>
        <button type="button" class="nav next" onClick={onNext} disabled={!hasNext} aria-label="Next file">›</button>
        {showInfo && <Metadata file={file} />}
      </div>
    </div>
  );
}
