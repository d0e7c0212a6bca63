import { join, relative } from "node:path";
import { App, LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import { ConfigurationError } from "../core/errors.ts";

/** Where Terraform keeps a stack's state. */
export type StateBackend =
  | {
      readonly kind: "local";
      /** Relative to the project directory. Default `terraform.<stack>.tfstate`. */
      readonly path?: string;
    }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      /** Default `<stack>/terraform.tfstate`. */
      readonly key?: string;
      /** Default: the provider's region. */
      readonly region?: string;
      /** A DynamoDB table to lock with; without one, Terraform locks with a lock file in the bucket. */
      readonly lockTable?: string;
      readonly kmsKeyId?: string;
    };

/**
 * `FANOUT_STATE_BUCKET` (with `FANOUT_STATE_KEY`, `FANOUT_STATE_REGION`, `FANOUT_STATE_LOCK_TABLE`,
 * `FANOUT_STATE_KMS_KEY_ID`) selects an S3 backend; otherwise the state is a local file.
 */
export function stateBackendFromEnvironment(env: NodeJS.ProcessEnv = process.env): StateBackend {
  const bucket = env.FANOUT_STATE_BUCKET;
  if (!bucket) {
    const others = [
      "FANOUT_STATE_KEY",
      "FANOUT_STATE_REGION",
      "FANOUT_STATE_LOCK_TABLE",
      "FANOUT_STATE_KMS_KEY_ID",
    ].filter((name) => env[name]);
    if (others.length > 0) {
      throw new ConfigurationError(
        `${others.join(", ")} ${others.length === 1 ? "is" : "are"} set but FANOUT_STATE_BUCKET is not; set it to keep the state in S3, or unset the others.`,
      );
    }
    return { kind: "local" };
  }
  return {
    kind: "s3",
    bucket,
    ...(env.FANOUT_STATE_KEY ? { key: env.FANOUT_STATE_KEY } : {}),
    ...(env.FANOUT_STATE_REGION ? { region: env.FANOUT_STATE_REGION } : {}),
    ...(env.FANOUT_STATE_LOCK_TABLE ? { lockTable: env.FANOUT_STATE_LOCK_TABLE } : {}),
    ...(env.FANOUT_STATE_KMS_KEY_ID ? { kmsKeyId: env.FANOUT_STATE_KMS_KEY_ID } : {}),
  };
}

export function useStateBackend(stack: TerraformStack, backend: StateBackend, region?: string): void {
  const name = stack.node.id;
  if (backend.kind === "local") {
    // Terraform runs in the synthesized stack's directory; a relative path keeps the state beside the project
    // without writing this machine's absolute path into the synthesized stack.
    const stackDirectory = join(App.of(stack).outdir, "stacks", name);
    const state = join(process.cwd(), backend.path ?? `terraform.${name}.tfstate`);
    new LocalBackend(stack, { path: relative(stackDirectory, state) });
    return;
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: backend.key ?? `${name}/terraform.tfstate`,
    ...((backend.region ?? region) ? { region: backend.region ?? region } : {}),
    encrypt: true,
    ...(backend.kmsKeyId ? { kmsKeyId: backend.kmsKeyId } : {}),
    ...(backend.lockTable ? { dynamodbTable: backend.lockTable } : {}),
  });
  // Terraform 1.10+ locks with a lock file beside the state; cdktf's S3 backend does not know the setting yet.
  if (!backend.lockTable) s3.addOverride("use_lockfile", true);
}
