import { App } from "cdktf";
import { loadConfig } from "fanout";
import { bundleWorkers, FanoutStack, stateBackendFromEnvironment } from "fanout/cdktf";

/** The app's stack: its registry and handlers from fanout.config.ts, its settings from the environment. */
const { registry, handlerPath } = await loadConfig();
const app = new App();
new FanoutStack(app, {
  registry,
  bundles: await bundleWorkers(registry, {
    handlerEntry: handlerPath,
    bundleAwsSdk: process.env.FANOUT_BUNDLE_AWS_SDK !== "0",
  }),
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
