import type { JobTypeOf, PayloadInput } from "fanout";
import type { AppRegistry } from "../../shared/jobs/index.ts";

/**
 * One small valid payload per job type. The mapped type makes `tsc` fail when a job type is added to the
 * registry without a sample here, before a rehearsal could find out.
 */
export const SAMPLE_PAYLOADS: { readonly [T in JobTypeOf<AppRegistry>]: PayloadInput<AppRegistry, T> } = {
  "check-order": {
    orderId: "rehearsal-1",
    items: [{ sku: "SKU-1", quantity: 2, unitPrice: 2.5 }],
    total: 5,
  },
  "render-report": {
    title: "Rehearsal report",
    requestedBy: "rehearsal@example.com",
    rows: [{ region: "north", product: "anvil", units: 3, unitPrice: 9.99 }],
  },
  "send-notification": {
    to: "rehearsal@example.com",
    subject: "Rehearsal",
    lines: ["The stack was applied to moto."],
  },
  "summarize-sales": { currency: "EUR", recipient: "rehearsal@example.com" },
  "update-order-status": { orderId: "rehearsal-1", status: "paid", at: "2026-01-01T00:00:00.000Z" },
};

/** The sample of a job type named at run time (a registry built from the environment may differ). */
export function samplePayload(type: string): unknown {
  if (!Object.hasOwn(SAMPLE_PAYLOADS, type)) {
    throw new Error(`no sample payload for job type "${type}"; add one to stacks/rehearsal/sample-jobs.ts`);
  }
  return (SAMPLE_PAYLOADS as Readonly<Record<string, unknown>>)[type];
}
