import { describeIssues, JobValidationError } from "../core/errors.ts";
import type { JobRequest, Publisher } from "../core/publisher.ts";
import { parsePayload, type Registry, requireJob } from "../core/registry.ts";
import type { Progress } from "./progress.ts";

export interface BulkItem {
  /** How the operator finds the item again: "line 7" or "copy 3". */
  readonly label: string;
  readonly payload?: unknown;
  /** Set when the item could not even be read (a line that is not JSON). */
  readonly error?: string;
}

export interface BulkFailure {
  readonly label: string;
  readonly jobId?: string;
  readonly reason: string;
  /** True when the item was refused before sending (not JSON, or failing the schema). */
  readonly invalid: boolean;
}

export interface BulkSummary {
  readonly type: string;
  readonly total: number;
  readonly sent: number;
  readonly offloaded: number;
  readonly failed: number;
  readonly failures: readonly BulkFailure[];
  readonly jobs: readonly { readonly label: string; readonly jobId: string; readonly offloaded: boolean }[];
}

/** Jobs handed to `publishMany` at a time: large enough to keep its batches full, small enough for a live bar. */
const CHUNK = 200;

export interface CheckedItems {
  readonly ready: readonly BulkItem[];
  readonly refused: readonly BulkFailure[];
}

/** Checks every item as the publisher would; the refused ones are reported and never sent. */
export function checkItems(registry: Registry, type: string, items: readonly BulkItem[]): CheckedItems {
  const job = requireJob(registry, type);
  const refused: BulkFailure[] = [];
  const ready: BulkItem[] = [];
  for (const item of items) {
    if (item.error !== undefined) {
      refused.push({ label: item.label, reason: item.error, invalid: true });
      continue;
    }
    try {
      parsePayload(job, item.payload);
    } catch (error) {
      if (!(error instanceof JobValidationError)) throw error;
      refused.push({
        label: item.label,
        reason: `fails the schema: ${describeIssues(error.issues)}`,
        invalid: true,
      });
      continue;
    }
    ready.push(item);
  }
  return { ready, refused };
}

/** Publishes the checked items through `PublishBatch`, chunk by chunk, reporting each job's outcome. */
export async function publishBulk<R extends Registry>(
  publisher: Publisher<R> | undefined,
  type: string,
  total: number,
  checked: CheckedItems,
  progress: Progress,
  delaySeconds?: number,
): Promise<BulkSummary> {
  const failures: BulkFailure[] = [...checked.refused];
  const jobs: { label: string; jobId: string; offloaded: boolean }[] = [];
  const { ready } = checked;
  for (let start = 0; publisher && start < ready.length; start += CHUNK) {
    const chunk = ready.slice(start, start + CHUNK);
    const outcomes = await publisher.publishMany(
      chunk.map((item) => ({ type, payload: item.payload, delaySeconds }) as JobRequest<R>),
    );
    outcomes.forEach((outcome, i) => {
      const label = chunk[i]?.label ?? "";
      if (outcome.ok) jobs.push({ label, jobId: outcome.jobId, offloaded: outcome.offloaded });
      else failures.push({ label, jobId: outcome.jobId, reason: outcome.error.message, invalid: false });
    });
    progress.update(start + chunk.length);
  }
  progress.stop();
  return {
    type,
    total,
    sent: jobs.length,
    offloaded: jobs.filter((j) => j.offloaded).length,
    failed: failures.length,
    failures,
    jobs,
  };
}

const MAX_LABELS = 10;

/** `sent N, offloaded M, failed K`, then each distinct reason once with the items it applies to. */
export function formatSummary(summary: BulkSummary): string {
  const lines = [
    `${summary.type}: sent ${summary.sent}, offloaded ${summary.offloaded}, failed ${summary.failed}`,
  ];
  const byReason = new Map<string, string[]>();
  for (const failure of summary.failures) {
    byReason.set(failure.reason, [...(byReason.get(failure.reason) ?? []), failure.label]);
  }
  for (const [reason, labels] of byReason) {
    const shown = labels.slice(0, MAX_LABELS).join(", ");
    const more = labels.length > MAX_LABELS ? ` and ${labels.length - MAX_LABELS} more` : "";
    lines.push(`  ${labels.length} × ${reason} (${shown}${more})`);
  }
  return lines.join("\n");
}
