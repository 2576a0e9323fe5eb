import { render } from 'preact';
import { reloadFolder, startSession } from './actions';
import { App } from './components/App';
import { store } from './store';
import { restoreSavedUploads, whenUploaded } from './upload/uploader';
import './styles.css';

// Several uploads finishing together refresh the folder once.
let refresh: ReturnType<typeof setTimeout> | undefined;
whenUploaded((item) => {
  if (item.folder !== store.get().folder) return;
  clearTimeout(refresh);
  refresh = setTimeout(() => void reloadFolder(), 300);
});
render(<App />, document.getElementById('app') as HTMLElement);
void startSession().then(() => restoreSavedUploads());
