import * as path from 'node:path';
import type { Construct } from 'constructs';
import { Annotations, type TerraformVariable } from 'cdktf';
import type { MediaStoreProps } from '../media-store';
import { WEB_BUILD_DIR } from '../../contract/site';
import { PROJECT_ROOT } from '../media-store/functions';
import { hasWebBuild } from '../media-store/site-files';
import { declareVariables, type VariableValues } from './variables';

/**
 * The variables of a stack and the MediaStore props reading them, with the site's files taken
 * from `webRoot`. Without a web build there (no `index.html`) the stack is synthesized without
 * the site, says so in a synthesis warning, and its `site` variable defaults to false and refuses true
 * with a message naming the cause, rather than deploying a site with nothing to serve.
 */
export function declareVariablesWithWebBuild(scope: Construct, webRoot: string, overrides: VariableValues = {}): MediaStoreProps {
  if (hasWebBuild(webRoot)) return { ...declareVariables(scope, overrides), webRoot };
  // cdktf prints annotations when it synthesizes.
  Annotations.of(scope).addWarning(`No web build in ${webRoot} (index.html is missing): ${scope.node.id} is synthesized without the site. Run \`npm run build\` to include it.`);
  const props = declareVariables(scope, { site: false, ...overrides });
  (scope.node.findChild('site') as TerraformVariable).addValidation({
    condition: '${!var.site}',
    errorMessage: 'This module was synthesized without the web app (its build had no index.html): build it (npm run build), synthesize again, then set site = true.',
  });
  return { ...props, site: false };
}

/** `<project root>/dist/web`, where `npm run build` writes the app. */
export function defaultWebRoot(): string {
  return path.join(PROJECT_ROOT, WEB_BUILD_DIR);
}
