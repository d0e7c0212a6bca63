import { fill, formatAge, h } from "./dom.js";
import { sparkline } from "./sparkline.js";

function figure(field, value, extraClass = "") {
  return h("td", { class: `num ${extraClass}`.trim(), "data-field": field }, value ?? "–");
}

function throughputCell(q, throughput) {
  if (q.throughput === null) {
    return h("td", { class: "muted" }, q.kind === "unrouted" ? "kept for redrive" : "not a Fanout worker");
  }
  if (throughput.source === "none") return h("td", { class: "muted" }, "n/a");
  const total = q.throughput.reduce((sum, n) => sum + n, 0);
  const minutes = Math.round((q.throughput.length * throughput.bucketSeconds) / 60);
  return h(
    "td",
    { class: "throughput" },
    sparkline(q.throughput, { label: `${q.consumer}: ${total} processed in ${minutes} min` }),
    h("span", { class: "throughput-total", "data-field": "processed" }, String(total)),
    h("span", { class: "muted" }, ` in ${minutes} min`),
    q.jobs
      ? h(
          "span",
          { class: "muted", "data-field": "jobs" },
          ` · ${q.jobs.failed} failed · ${q.jobs.deadLettered} dead-lettered`,
        )
      : null,
  );
}

/** The queues table, one row per job type (and subscriber), from /api/queues. */
export function renderQueues(table, note, data) {
  const rows = data.queues.map((q) => {
    const f = q.figures;
    const consumer = encodeURIComponent(q.consumer);
    const links =
      q.kind === "unrouted"
        ? [h("a", { href: "#/dlq/unrouted", class: "link" }, "Unrouted jobs →")]
        : [h("a", { href: `#/dlq/${consumer}`, class: "link" }, "Dead letters →")];
    if (f && f.undelivered > 0) {
      links.push(h("a", { href: `#/dlq/${consumer}/undelivered`, class: "link" }, "Undelivered →"));
    }
    return h(
      "tr",
      { "data-consumer": q.consumer },
      h(
        "th",
        { scope: "row", title: q.queue },
        q.consumer,
        q.kind === "worker"
          ? null
          : h("span", { class: "tag" }, q.kind === "unrouted" ? "no worker" : "subscriber"),
      ),
      figure("visible", f?.visible, q.kind === "unrouted" && f && f.visible > 0 ? "dlq-nonzero" : ""),
      figure("inFlight", f?.inFlight),
      figure("delayed", f?.delayed),
      figure("dlqDepth", f?.dlqDepth, f && f.dlqDepth > 0 ? "dlq-nonzero" : ""),
      figure("undelivered", f?.undelivered, f && f.undelivered > 0 ? "dlq-nonzero" : ""),
      figure("oldest", formatAge(f?.oldestAgeSeconds)),
      figure("oldestDead", formatAge(f?.oldestDeadLetterAgeSeconds)),
      throughputCell(q, data.throughput),
      h("td", { class: "links" }, ...links),
    );
  });
  fill(table.tBodies[0], rows);
  fill(note, `${data.ageNote} ${data.throughput.note}`);
}
