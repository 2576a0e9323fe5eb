import { render } from 'preact';
import { showUploaded, startSession } from './actions';
import { App } from './components/App';
import { restoreSavedUploads, whenUploaded } from './upload/uploader';
import './styles.css';

whenUploaded(showUploaded);
render(<App />, document.getElementById('app') as HTMLElement);
void startSession().then(() => restoreSavedUploads());
