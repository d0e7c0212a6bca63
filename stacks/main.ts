import { App } from "cdktf";
import { registry } from "../shared/jobs/index.ts";
import { bundleWorkers } from "./bundle.ts";
import { FanoutStack } from "./fanout-stack.ts";

const app = new App();
new FanoutStack(app, {
  registry,
  bundles: await bundleWorkers(registry),
  region: process.env.AWS_REGION ?? "us-east-1",
  alarmTopicArn: process.env.FANOUT_ALARM_TOPIC_ARN || undefined,
  fakeCredentials: process.env.FANOUT_FAKE_CREDENTIALS === "1",
});
app.synth();
