import type { IConstruct } from 'constructs';
import { Fn, TerraformResource, Token, type IAspect } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { isUnresolved, unlessEmpty } from './expressions';

export interface GovernanceProps {
  /** Tags on every resource that takes tags; a resource's own tags win on a clash. @default {} */
  readonly tags?: Record<string, string>;
  /** ARN of the IAM policy that bounds every role the module creates; empty: none. @default "" */
  readonly permissionsBoundary?: string;
  /** IAM path of every role the module creates. @default "/" */
  readonly iamRolePath?: string;
}

/** Whether a resource's schema has a `tags` argument (the generated binding then has `tagsInput`). */
function isTaggable(node: IConstruct): node is TerraformResource & { tags: Record<string, string>; tagsInput?: Record<string, string> } {
  return TerraformResource.isTerraformResource(node) && 'tagsInput' in node;
}

/**
 * What an enterprise review asks of every resource, applied as an aspect when the stack is
 * synthesized, so resources added later (by any construct under the MediaStore) get it too:
 * the caller's tags on every taggable resource, and the permissions boundary and path on every
 * IAM role. Provider `default_tags` stay the caller's own choice on top of this.
 */
export class Governance implements IAspect {
  constructor(private readonly props: GovernanceProps) {}

  visit(node: IConstruct): void {
    if (isTaggable(node)) this.tag(node);
    if (node instanceof IamRole) this.bound(node);
  }

  private tag(resource: TerraformResource & { tags: Record<string, string>; tagsInput?: Record<string, string> }): void {
    const tags = this.props.tags ?? {};
    const own = resource.tagsInput;
    if (!isUnresolved(tags) && Object.keys(tags).length === 0) return;
    if (!isUnresolved(tags) && (own === undefined || !isUnresolved(own))) {
      resource.tags = { ...tags, ...(own ?? {}) };
      return;
    }
    resource.tags = own === undefined ? tags : Token.asStringMap(Fn.merge([tags, own]));
  }

  private bound(role: IamRole): void {
    const boundary = unlessEmpty(this.props.permissionsBoundary ?? '');
    if (boundary !== undefined) role.permissionsBoundary = boundary;
    const path = this.props.iamRolePath ?? '/';
    if (isUnresolved(path) || path !== '/') role.path = path;
  }
}
