import { parseArgs } from "node:util";
import { startLocalDashboard } from "../dashboard/local.ts";
import { dashboardPort } from "../dashboard/port.ts";
import { errorMessage } from "../shared/errors.ts";
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

function fail(error: unknown): never {
  process.stderr.write(
    `${JSON.stringify({ level: "ERROR", message: "local cloud did not start", timestamp: new Date().toISOString(), service: "fanout-local", error: errorMessage(error) })}\n`,
  );
  process.exit(1);
}

const fanout = await startLocalFanout({ registry }).catch(fail);
for (const runner of fanout.runners.values()) runner.on("log", (line) => process.stdout.write(`${line}\n`));
// The local cloud is the operator's own: its dashboard may redrive. FANOUT_DASHBOARD_PORT=0 picks a free port.
const dashboard = await startLocalDashboard(fanout, { port: dashboardPort(undefined) }).catch(
  async (error: unknown) => {
    await fanout.stop();
    return fail(error);
  },
);

log("local cloud ready", {
  endpoint: fanout.cloud.endpoint,
  dashboard: dashboard.url,
  topicArn: fanout.provisioned.topicArn,
  bucket: fanout.provisioned.bucket,
  workers: [...fanout.runners.keys()],
  try: "npm run fanout -- --local status",
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
