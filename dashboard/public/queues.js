import { fill, formatAge, h } from "./dom.js";
import { sparkline } from "./sparkline.js";

function figure(field, value, extraClass = "") {
  return h("td", { class: `num ${extraClass}`.trim(), "data-field": field }, value ?? "–");
}

function throughputCell(q, throughput) {
  if (q.throughput === null) return h("td", { class: "muted" }, "not a Fanout worker");
  if (throughput.source === "none") return h("td", { class: "muted" }, "n/a");
  const total = q.throughput.reduce((sum, n) => sum + n, 0);
  const minutes = Math.round((q.throughput.length * throughput.bucketSeconds) / 60);
  return h(
    "td",
    { class: "throughput" },
    sparkline(q.throughput, { label: `${q.consumer}: ${total} processed in ${minutes} min` }),
    h("span", { class: "throughput-total", "data-field": "processed" }, String(total)),
    h("span", { class: "muted" }, ` in ${minutes} min`),
  );
}

/** The queues table, one row per job type (and subscriber), from /api/queues. */
export function renderQueues(table, note, data) {
  const rows = data.queues.map((q) => {
    const f = q.figures;
    return h(
      "tr",
      { "data-consumer": q.consumer },
      h(
        "th",
        { scope: "row", title: q.queue },
        q.consumer,
        q.kind === "subscriber" ? h("span", { class: "tag" }, "subscriber") : null,
      ),
      figure("visible", f?.visible),
      figure("inFlight", f?.inFlight),
      figure("delayed", f?.delayed),
      figure("dlqDepth", f?.dlqDepth, f && f.dlqDepth > 0 ? "dlq-nonzero" : ""),
      figure("oldest", formatAge(f?.oldestAgeSeconds)),
      figure("oldestDead", formatAge(f?.oldestDeadLetterAgeSeconds)),
      throughputCell(q, data.throughput),
      h(
        "td",
        null,
        h("a", { href: `#/dlq/${encodeURIComponent(q.consumer)}`, class: "link" }, "Dead letters →"),
      ),
    );
  });
  fill(table.tBodies[0], rows);
  fill(note, `${data.ageNote} ${data.throughput.note}`);
}
