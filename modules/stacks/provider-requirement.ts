import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';

export interface ProviderRequirementProps {
  /** Local name the resources use, e.g. `aws`. */
  readonly name: string;
  /** Registry source, e.g. `hashicorp/aws`. */
  readonly source: string;
  /** Version constraint, e.g. `>= 6.0, < 7.0`. */
  readonly version: string;
}

/**
 * The provider a Terraform module needs, without configuring it. A module must not hold a
 * `provider` block (its caller passes providers in), yet cdktf's ValidateProviderPresence
 * rightly wants a provider construct for every provider its resources use. This construct
 * is that provider as far as cdktf is concerned, and synthesizes to nothing but its
 * `terraform.required_providers` entry.
 */
export class ProviderRequirement extends TerraformProvider {
  private readonly requirement: ProviderRequirementProps;

  constructor(scope: Construct, id: string, props: ProviderRequirementProps) {
    super(scope, id, {
      terraformResourceType: props.name,
      terraformProviderSource: props.source,
      terraformGeneratorMetadata: { providerName: props.name, providerVersionConstraint: props.version },
    });
    this.requirement = props;
  }

  override toTerraform(): Record<string, unknown> {
    const { name, source, version } = this.requirement;
    return { terraform: { required_providers: { [name]: { source, version } } } };
  }

  override toHclTerraform(): Record<string, unknown> {
    return this.toTerraform();
  }
}
