import type { JobRequest } from "fanout";
import type { AppRegistry } from "./jobs/index.ts";
import type { ORDER_STATUSES } from "./jobs/update-order-status.ts";

const REGIONS = ["north", "south", "east", "west", "central"];
const PRODUCTS = ["anvil", "rocket skates", "giant magnet", "earthquake pills", "bird seed", "tornado kit"];

/** Sales rows enough to make a payload of about `bytes`, deterministic so runs compare. */
export function salesRows(bytes: number) {
  const rows = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const row = {
      region: REGIONS[i % REGIONS.length] as string,
      product: PRODUCTS[(i * 7) % PRODUCTS.length] as string,
      units: (i * 13) % 97,
      unitPrice: ((i * 31) % 5000) / 100,
    };
    size += JSON.stringify(row).length + 1;
    rows.push(row);
  }
  return rows;
}

/**
 * A 1 KiB order that is processed inline, a 2 MiB report that travels through S3, one notification
 * published twice with the same job id (a producer's retry), which its idempotent job type sends once, a
 * reminder delayed by ten seconds, and the status changes of two orders, which run in order per order.
 */
export function demoJobs(): JobRequest<AppRegistry>[] {
  const items = Array.from({ length: 20 }, (_, i) => ({
    sku: `SKU-${1000 + i}`,
    quantity: i + 1,
    unitPrice: 2.5,
  }));
  const welcome: JobRequest<AppRegistry> = {
    type: "send-notification",
    jobId: "demo-welcome-1",
    payload: { to: "demo@example.com", subject: "Welcome", lines: ["Sent once, though published twice."] },
  };
  return [
    {
      type: "check-order",
      payload: {
        orderId: "demo-1001",
        items,
        total: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0),
      },
    },
    {
      type: "render-report",
      payload: { title: "Demo sales", requestedBy: "demo@example.com", rows: salesRows(2 * 1024 * 1024) },
    },
    welcome,
    welcome,
    {
      type: "send-notification",
      payload: {
        to: "demo@example.com",
        subject: "Reminder",
        lines: ["Delivered ten seconds after it was published."],
      },
      delaySeconds: 10,
    },
    ...statusChanges("demo-1001", ["placed", "paid", "packed", "shipped"]),
    ...statusChanges("demo-1002", ["placed", "cancelled"]),
  ];
}

function statusChanges(
  orderId: string,
  statuses: readonly (typeof ORDER_STATUSES)[number][],
): JobRequest<AppRegistry>[] {
  const start = Date.UTC(2026, 0, 1);
  return statuses.map((status, i) => ({
    type: "update-order-status",
    payload: { orderId, status, at: new Date(start + i * 60_000).toISOString() },
  }));
}
