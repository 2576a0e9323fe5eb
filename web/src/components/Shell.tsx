/**
 * The frame of every signed-in screen: one compact top bar (on a phone a folders button, the
 * screen's title, its main action, the upload indicator and an overflow menu holding the rest;
 * on a wider screen the menu's views and account stand in the bar, one row the same on every
 * screen, and a screen's own tools stand at the top of the screen instead: `useNarrow`), the notice under it, then the screen,
 * and the open dialog whichever screen is shown (files shared to the app ask for their folder on
 * the timeline, where the app opens).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../../../contract/wire';
import * as actions from '../actions';
import { canWrite, store, useStore, type AppState } from '../store';
import { Dialogs } from './Dialogs';
import { NoticeBar } from './NoticeBar';
import { UploadIndicator } from './UploadIndicator';

/** Below this width the app is laid out for a phone (styles.css has the same breakpoint). */
const NARROW_QUERY = '(max-width: 700px)';

/**
 * Whether the screen is narrow (a phone): there a screen's tools go into the bar's overflow
 * menu; on a wider screen they stand at the top of the screen, so the bar never changes.
 */
export function useNarrow(): boolean {
  const query = typeof matchMedia === 'function' ? matchMedia(NARROW_QUERY) : undefined;
  const [narrow, setNarrow] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return undefined;
    const onChange = (): void => setNarrow(query.matches);
    onChange();
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return narrow;
}

export interface ShellProps {
  readonly user: SessionUser;
  readonly view: AppState['view'];
  /** The screen's title (the browsing screen's breadcrumbs). @default the app's name */
  readonly title?: ComponentChildren;
  /** Shown in the bar on a phone too (the browsing screen's upload button). */
  readonly primary?: ComponentChildren;
  /** The screen's own entries of the overflow menu on a phone (filter, sort, folder actions). */
  readonly menu?: ComponentChildren;
  /** The folder drawer's state, on screens that have one (phones show the tree as a drawer). */
  readonly drawer?: { readonly open: boolean; readonly toggle: () => void };
  readonly children: ComponentChildren;
}

export function Shell({ user, view, title, primary, menu, drawer, children }: ShellProps) {
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    // Esc, or a press outside the menu, closes it (a phone has no hover to leave it by).
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    const onDown = (e: PointerEvent): void => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !toggle.current?.contains(target)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onDown);
    };
  }, [open]);
  const uploads = useStore((s) => s.uploads);
  const dialog = useStore((s) => s.dialog);
  const go = (next: AppState['view']) => () => actions.showView(next);
  return (
    <div class="app">
      <header class="top">
        {drawer && (
          <button type="button" class="icon-button drawer-toggle" aria-expanded={drawer.open} aria-controls="folder-drawer" aria-label="Folders" onClick={drawer.toggle}>
            <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" stroke-width="2" /></svg>
          </button>
        )}
        <a class="brand" href="#/" onClick={(e) => { e.preventDefault(); void actions.openFolder('/'); }}>media-store</a>
        <div class="title">{title}</div>
        {primary}
        <UploadIndicator uploads={uploads} />
        <button type="button" ref={toggle} class="icon-button more-toggle" aria-expanded={open} aria-controls="more-menu" aria-label="More" onClick={() => setOpen(!open)}>
          <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="5" r="2" fill="currentColor" /><circle cx="12" cy="12" r="2" fill="currentColor" /><circle cx="12" cy="19" r="2" fill="currentColor" /></svg>
        </button>
        {/* A button pressed inside the menu (not a select) has done its work: the menu closes. */}
        <div id="more-menu" ref={panel} class={`more${open ? ' open' : ''}`} onClick={(e) => (e.target as Element).closest('button') && setOpen(false)}>
          {menu}
          <nav aria-label="Main">
            <button type="button" aria-current={view === 'timeline' ? 'page' : undefined} onClick={actions.openTimeline}>Timeline</button>
            <button type="button" aria-current={view === 'browse' ? 'page' : undefined} onClick={() => void actions.openFolder(store.get().folder)}>Folders</button>
            {canWrite(user) && <button type="button" aria-current={view === 'shares' ? 'page' : undefined} onClick={go('shares')}>Shares</button>}
            {canWrite(user) && <button type="button" aria-current={view === 'trash' ? 'page' : undefined} onClick={go('trash')}>Trash</button>}
            {user.role === 'admin' && <button type="button" aria-current={view === 'users' ? 'page' : undefined} onClick={go('users')}>Users &amp; storage</button>}
          </nav>
          <span class="who">{user.username} ({user.role})</span>
          <button type="button" onClick={() => void actions.logOut()}>Log out</button>
        </div>
      </header>
      <NoticeBar />
      {children}
      <Dialogs dialog={dialog} />
    </div>
  );
}
