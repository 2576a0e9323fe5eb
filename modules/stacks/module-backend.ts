import { Construct } from 'constructs';
import { TerraformBackend, type TerraformRemoteState } from 'cdktf';

/**
 * Stands in for a backend in a module stack. Every cdktf stack gets a LocalBackend unless it
 * has one; a module must have none, because state belongs to the root that calls it. This
 * backend synthesizes to nothing.
 */
export class ModuleBackend extends TerraformBackend {
  constructor(scope: Construct) {
    super(scope, 'backend', 'module');
  }

  override toTerraform(): Record<string, unknown> {
    return {};
  }

  override toHclTerraform(): Record<string, unknown> {
    return {};
  }

  override toMetadata(): Record<string, unknown> {
    return {};
  }

  override getRemoteStateDataSource(_scope: Construct, _name: string, fromStack: string): TerraformRemoteState {
    throw new Error(`${fromStack} is a module: it has no state for other stacks to read`);
  }
}
