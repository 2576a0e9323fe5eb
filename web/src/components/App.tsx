/** The app: login, or the timeline (the landing view), the folders, (for writers) shares and the trash, and (for admins) users and storage screens, each in the Shell. */
import { canWrite, useStore } from '../store';
import { Browse } from './Browse';
import { Login } from './Login';
import { Shell } from './Shell';
import { SharesList } from './Shares';
import { StorageStats } from './StorageStats';
import { Duplicates } from './Duplicates';
import { Users } from './Users';
import { TimelineLoader } from './TimelineLoader';
import { TrashView } from './Trash';

export function App() {
  const user = useStore((s) => s.user);
  const view = useStore((s) => s.view);
  if (user === undefined) return <p class="loading" role="status">Loading…</p>;
  if (user === null) return <Login />;
  if (view === 'users' && user.role === 'admin') return <Shell user={user} view={view}><main class="content admin"><Users /><StorageStats /><Duplicates /></main></Shell>;
  if (view === 'shares' && canWrite(user)) return <Shell user={user} view={view}><main class="content"><SharesList /></main></Shell>;
  if (view === 'trash' && canWrite(user)) return <Shell user={user} view={view} title="Trash"><main class="content"><TrashView user={user} /></main></Shell>;
  if (view === 'timeline') return <Shell user={user} view={view} title="Timeline"><main class="timeline-main" aria-label="Timeline"><TimelineLoader /></main></Shell>;
  return <Browse />;
}
