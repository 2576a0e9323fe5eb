/** The app's frame: login, or the header with the browsing, (for writers) shares and (for admins) users screens. */
import * as actions from '../actions';
import { canWrite, store, useStore } from '../store';
import { Browse } from './Browse';
import { Login } from './Login';
import { SharesList } from './Shares';
import { Users } from './Users';

export function App() {
  const user = useStore((s) => s.user);
  const view = useStore((s) => s.view);
  const notice = useStore((s) => s.notice);
  if (user === undefined) return <p class="loading" role="status">Loading…</p>;
  if (user === null) return <Login />;
  return (
    <div class="app">
      <header class="top">
        <a class="brand" href="#/" onClick={(e) => { e.preventDefault(); void actions.openFolder('/'); }}>media-store</a>
        <nav aria-label="Main">
          <button type="button" aria-current={view === 'browse' ? 'page' : undefined} onClick={() => store.update({ view: 'browse' })}>Files</button>
          {canWrite(user) && <button type="button" aria-current={view === 'shares' ? 'page' : undefined} onClick={() => store.update({ view: 'shares' })}>Shares</button>}
          {user.role === 'admin' && <button type="button" aria-current={view === 'users' ? 'page' : undefined} onClick={() => store.update({ view: 'users' })}>Users</button>}
        </nav>
        <span class="who">{user.username} ({user.role})</span>
        <button type="button" onClick={() => void actions.logOut()}>Log out</button>
      </header>
      {notice && (
        <div class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button type="button" onClick={actions.dismissNotice} aria-label="Dismiss message">✕</button>
        </div>
      )}
      {view === 'users' && user.role === 'admin' ? <main class="content"><Users /></main>
        : view === 'shares' && canWrite(user) ? <main class="content"><SharesList /></main>
        : <Browse />}
    </div>
  );
}
