import { render } from 'preact';
import { showUploaded, startSession } from './actions';
import { App } from './components/App';
import { SharePage } from './components/SharePage';
import { afterLoad, whenIdle } from './idle';
import { offerSharedFiles } from './share-target';
import { restoreSavedUploads, whenUploaded } from './upload/uploader';
import './styles.css';

const root = document.getElementById('app') as HTMLElement;
// A share's public page (`/s/<token>`) is for people without an account: no session, no refresh.
const shared = /^\/s\/([^/]+)\/?$/.exec(location.pathname);
if (shared) {
  render(<SharePage token={decodeURIComponent(shared[1] as string)} />, root);
} else {
  whenUploaded(showUploaded);
  render(<App />, root);
  // Uploads a reload interrupted wait for their files: listed once the first view is up.
  void startSession().then(() => whenIdle(() => void restoreSavedUploads()));
  offerSharedFiles();
  // The Service Worker (public/sw.js: the app shell, the share target, streamed downloads) only in a
  // production build: a dev server's modules are not a shell to cache. Registered after the page
  // has loaded: its install fetches the shell again, which must not compete with the first view.
  if (import.meta.env.PROD && 'serviceWorker' in navigator) afterLoad(() => void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined));
}
