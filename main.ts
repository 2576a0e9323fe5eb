import { App } from 'cdktf';
import { addMediaStoreStacks } from './modules/stacks/app';

const app = new App();
addMediaStoreStacks(app);
app.synth();
