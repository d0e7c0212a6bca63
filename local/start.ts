import { parseArgs } from "node:util";
import { startLocalDashboard } from "../dashboard/local.ts";
import { dashboardPort } from "../dashboard/port.ts";
import { registry } from "../shared/jobs/index.ts";
import { PayloadStore } from "../shared/payload-store.ts";
import { Publisher } from "../shared/publisher.ts";
import { demoJobs } from "./demo-jobs.ts";
import { startLocalFanout } from "./local-fanout.ts";

const { values } = parseArgs({ options: { demo: { type: "boolean", default: false } } });

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ level: "INFO", message, timestamp: new Date().toISOString(), service: "fanout-local", ...fields })}\n`,
  );
}

const fanout = await startLocalFanout({ registry });
for (const runner of fanout.runners.values()) runner.on("log", (line) => process.stdout.write(`${line}\n`));
// The local cloud is the operator's own: its dashboard may redrive. FANOUT_DASHBOARD_PORT=0 picks a free port.
const dashboard = await startLocalDashboard(fanout, registry, { port: dashboardPort(undefined) }).catch(
  async (error: unknown) => {
    await fanout.stop();
    throw error;
  },
);

log("local cloud ready", {
  endpoint: fanout.cloud.endpoint,
  dashboard: dashboard.url,
  topicArn: fanout.provisioned.topicArn,
  bucket: fanout.provisioned.bucket,
  workers: [...fanout.runners.keys()],
  publish: `AWS_ENDPOINT_URL=${fanout.cloud.endpoint} npm run fanout -- publish check-order '{"orderId":"o-1","items":[{"sku":"a","quantity":2,"unitPrice":1.5}],"total":3}'`,
});

if (values.demo) {
  const publisher = new Publisher({
    registry,
    sns: fanout.clients.sns,
    payloads: new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket }),
    topicArn: fanout.provisioned.topicArn,
  });
  for (const job of demoJobs()) {
    const published = await publisher.publish(job.type, job.payload);
    log("demo job published", {
      jobType: published.type,
      jobId: published.jobId,
      offloaded: published.offloaded,
      ...(published.payloadKey
        ? { payloadKey: `s3://${fanout.provisioned.bucket}/${published.payloadKey}` }
        : {}),
    });
  }
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log("stopping", { signal });
  await dashboard.close();
  await fanout.stop();
  log("stopped");
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
