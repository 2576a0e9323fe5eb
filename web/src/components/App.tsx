/** The app's frame: login, or the header with the browsing, (for writers) shares and (for admins) users and storage screens. */
import * as actions from '../actions';
import { canWrite, useStore } from '../store';
import { Browse } from './Browse';
import { Login } from './Login';
import { NoticeBar } from './NoticeBar';
import { SharesList } from './Shares';
import { StorageStats } from './StorageStats';
import { Users } from './Users';

export function App() {
  const user = useStore((s) => s.user);
  const view = useStore((s) => s.view);
  if (user === undefined) return <p class="loading" role="status">Loading…</p>;
  if (user === null) return <Login />;
  return (
    <div class="app">
      <header class="top">
        <a class="brand" href="#/" onClick={(e) => { e.preventDefault(); void actions.openFolder('/'); }}>media-store</a>
        <nav aria-label="Main">
          <button type="button" aria-current={view === 'browse' ? 'page' : undefined} onClick={() => actions.showView('browse')}>Files</button>
          {canWrite(user) && <button type="button" aria-current={view === 'shares' ? 'page' : undefined} onClick={() => actions.showView('shares')}>Shares</button>}
          {user.role === 'admin' && <button type="button" aria-current={view === 'users' ? 'page' : undefined} onClick={() => actions.showView('users')}>Users &amp; storage</button>}
        </nav>
        <span class="who">{user.username} ({user.role})</span>
        <button type="button" onClick={() => void actions.logOut()}>Log out</button>
      </header>
      <NoticeBar />
      {view === 'users' && user.role === 'admin' ? <main class="content admin"><Users /><StorageStats /></main>
        : view === 'shares' && canWrite(user) ? <main class="content"><SharesList /></main>
        : <Browse />}
    </div>
  );
}
