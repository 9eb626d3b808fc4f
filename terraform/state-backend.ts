import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import type { StateBackend } from './operations-config.js';

/**
 * Terraform runs in `cdktf.out/stacks/<stack>`: a local state file named relative to it lands in the
 * checkout's root, where it always did, without writing the checkout's absolute path into the output.
 */
export const LOCAL_STATE_FROM_STACK_DIRECTORY = '../../..';

/**
 * The stack's backend. S3 with Terraform's native lock file (`use_lockfile`, Terraform ≥ 1.10; cdktf
 * 0.21 does not type the option, hence the override) and server-side encryption; or, for a throw-away
 * stage, a local file. Never cdktf's default local backend, which writes the absolute path of the
 * checkout at synth time (moving the checkout would orphan the state).
 */
/** `use_lockfile` needs Terraform 1.10; an older CLI would fail at init with no hint of why. */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.10.0';

export function configureStateBackend(stack: TerraformStack, stackName: string, state: StateBackend): void {
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  if (state.backend === 'local') {
    new LocalBackend(stack, { path: `${LOCAL_STATE_FROM_STACK_DIRECTORY}/terraform.${stackName}.tfstate` });
    return;
  }
  new S3Backend(stack, { bucket: state.bucket, key: state.key, region: state.region, encrypt: true });
  stack.addOverride('terraform.backend.s3.use_lockfile', true);
}
