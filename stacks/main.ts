import { App } from "cdktf";
import { registry } from "../shared/jobs/index.ts";
import { bundleWorkers } from "./bundle.ts";
import { FanoutStack } from "./fanout-stack.ts";
import { stateBackendFromEnvironment } from "./state-backend.ts";

const app = new App();
new FanoutStack(app, {
  registry,
  bundles: await bundleWorkers(registry, { bundleAwsSdk: process.env.FANOUT_BUNDLE_AWS_SDK !== "0" }),
  region: process.env.AWS_REGION ?? "us-east-1",
  alarms: {
    topicArn: process.env.FANOUT_ALARM_TOPIC_ARN || undefined,
    email: process.env.FANOUT_ALARM_EMAIL || undefined,
  },
  producerAccountIds: (process.env.FANOUT_PRODUCER_ACCOUNT_IDS ?? "").split(",").filter(Boolean),
  state: stateBackendFromEnvironment(),
  fakeCredentials: process.env.FANOUT_FAKE_CREDENTIALS === "1",
});
app.synth();
