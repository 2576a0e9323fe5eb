import type { App } from 'cdktf';
import { PROJECT_ROOT } from '../media-store/functions';
import { loadDeployConfig, type DeployConfig } from './config';
import { MediaStoreStack } from './deployable-stack';
import { MediaStoreModuleStack } from './module-stack';

export const DEPLOYABLE_STACK = 'media-store';
export const MODULE_STACK = 'media-store-module';

export interface MediaStoreAppOptions {
  /** @default loaded from media-store.config.json / MEDIA_STORE_REGION */
  readonly config?: DeployConfig;
  /** Directory holding `dist/<name>.zip`. @default the project root */
  readonly bundleRoot?: string;
  /** The built web app; without one the stacks have no site. @default `<project root>/dist/web` */
  readonly webRoot?: string;
}

/** Both stacks of the app, from one MediaStore construct. */
export function addMediaStoreStacks(app: App, options: MediaStoreAppOptions = {}) {
  const config = options.config ?? loadDeployConfig(PROJECT_ROOT);
  return {
    deployable: new MediaStoreStack(app, DEPLOYABLE_STACK, { config, bundleRoot: options.bundleRoot, webRoot: options.webRoot }),
    module: new MediaStoreModuleStack(app, MODULE_STACK, { bundleRoot: options.bundleRoot, webRoot: options.webRoot }),
  };
}
