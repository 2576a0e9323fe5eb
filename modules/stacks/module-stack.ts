import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { MediaStore } from '../media-store';
import { declareOutputs } from './outputs';
import { ModuleBackend } from './module-backend';
import { ProviderRequirement } from './provider-requirement';
import { declareVariablesWithWebBuild, defaultWebRoot } from './web-build';

/** Verified by the terraform tests on 5.100 (the mirror here); the cdktf bindings follow 6.x. */
export const AWS_PROVIDER_VERSION = '>= 5.100, < 7.0';

export interface MediaStoreModuleStackProps {
  /** Directory holding `dist/<name>.zip`. @default the project root */
  readonly bundleRoot?: string;
  /** The built web app. @default `<project root>/dist/web` */
  readonly webRoot?: string;
}

/**
 * The MediaStore as a plain Terraform module: variables in, outputs out, providers required
 * but configured by the caller, no backend.
 */
export class MediaStoreModuleStack extends TerraformStack {
  readonly store: MediaStore;

  constructor(scope: Construct, id: string, props: MediaStoreModuleStackProps = {}) {
    super(scope, id);
    new ProviderRequirement(this, 'aws', { name: 'aws', source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION });
    new ModuleBackend(this);
    const variables = declareVariablesWithWebBuild(this, props.webRoot ?? defaultWebRoot());
    this.store = new MediaStore(this, 'media-store', { ...variables, bundleRoot: props.bundleRoot });
    declareOutputs(this, this.store);
  }
}
