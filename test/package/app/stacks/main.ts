import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { App, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { Registry } from "fanout";
import { loadConfig } from "fanout";
import { type Bundle, bundleWorkers, FanoutJobs } from "fanout/cdktf";

const REGION = "eu-west-1";

/** The service's existing stack: its own provider and resources, and Fanout's jobs beside them. */
class ShopStack extends TerraformStack {
  constructor(scope: Construct, registry: Registry, bundles: ReadonlyMap<string, Bundle>) {
    super(scope, "shop");
    new AwsProvider(this, "aws", { region: REGION });
    new S3Bucket(this, "assets", { bucketPrefix: "shop-assets-" });
    new FanoutJobs(this, "jobs", { registry, region: REGION, bundles });
  }
}

const { registry, handlerPath } = await loadConfig();
const app = new App();
new ShopStack(app, registry, await bundleWorkers(registry, { handlerEntry: handlerPath }));
app.synth();
