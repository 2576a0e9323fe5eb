import * as path from 'node:path';
import { Construct } from 'constructs';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { MediaStore } from '../media-store';
import { PROJECT_ROOT } from '../media-store/functions';
import type { DeployConfig } from './config';
import { declareOutputs } from './outputs';
import { declareVariablesWithWebBuild, defaultWebRoot } from './web-build';
import { AWS_PROVIDER_VERSION } from './module-stack';

export interface MediaStoreStackProps {
  readonly config: DeployConfig;
  /** Directory holding `dist/<name>.zip`. @default the project root */
  readonly bundleRoot?: string;
  /** The built web app. @default `<project root>/dist/web` */
  readonly webRoot?: string;
}

/**
 * The MediaStore ready for `cdktf deploy`: the same variables as the module (defaulting to
 * the deploy config), a configured AWS provider, and local or S3 state.
 */
export class MediaStoreStack extends TerraformStack {
  readonly store: MediaStore;

  constructor(scope: Construct, id: string, props: MediaStoreStackProps) {
    super(scope, id);
    const { config } = props;
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: Object.keys(config.tags).length > 0 ? [{ tags: config.tags }] : undefined,
    });
    // Same provider range as the module, rather than the exact versions cdktf generated against.
    this.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION });
    if (config.s3Backend) {
      new S3Backend(this, config.s3Backend);
    } else {
      new LocalBackend(this, { path: path.join(PROJECT_ROOT, `terraform.${id}.tfstate`) });
    }
    this.store = new MediaStore(this, 'media-store', {
      ...declareVariablesWithWebBuild(this, props.webRoot ?? defaultWebRoot(), config.variables),
      bundleRoot: props.bundleRoot,
    });
    declareOutputs(this, this.store);
  }
}
