/**
 * The frame of every signed-in screen: one compact top bar (on a phone a folders button, the
 * screen's title, its main action, the upload indicator and an overflow menu holding the rest;
 * on a wider screen the menu's views and account stand in the bar, one row the same on every
 * screen, and a screen's own tools stand at the top of the screen instead: `useNarrow`), the notice under it, then the screen,
 * and the open dialog whichever screen is shown (files shared to the app ask for their folder on
 * the timeline, where the app opens).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser } from '../../../contract/wire';
import * as actions from '../actions';
import { canWrite, store, useStore, type AppState } from '../store';
import { Dialogs } from './Dialogs';
import { MenuToggle, useMenu } from './Menu';
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
  const menuState = useMenu();
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
        <MenuToggle {...menuState.toggle} class="more-toggle" controls="more-menu" label="More" />
        <div id="more-menu" class={`more${menuState.open ? ' open' : ''}`} {...menuState.panel}>
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
