import { fill, h, s } from "./dom.js";

const SERIES = ["processed", "failed", "retried", "deadLettered"];

function ms(value) {
  if (value === null || value === undefined) return "–";
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}

/** Columns per minute: processed up from the baseline, failed and dead-lettered stacked on top in red. */
function minuteBars(minutes, label) {
  const width = 150;
  const height = 32;
  const max = Math.max(1, ...minutes.map((m) => m.processed + m.failed + m.deadLettered));
  const step = width / minutes.length;
  const bar = (x, y, hgt, cls) =>
    s("rect", {
      x: x.toFixed(1),
      y: y.toFixed(1),
      width: (step - 2).toFixed(1),
      height: hgt.toFixed(1),
      class: cls,
    });
  return s(
    "svg",
    { class: "bars", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label },
    s("title", { text: label }),
    minutes.flatMap((m, i) => {
      const ok = (m.processed / max) * height;
      const bad = ((m.failed + m.deadLettered) / max) * height;
      return [bar(i * step, height - ok, ok, "bar-ok"), bar(i * step, height - ok - bad, bad, "bar-bad")];
    }),
  );
}

/** Per job type: processed, failed, retried and dead-lettered per minute, and the duration's p50 and p95. */
export function renderFigures(table, note, data) {
  const workers = data.queues.filter((q) => q.kind === "worker");
  fill(
    table.tBodies[0],
    workers.map((q) => {
      const rates = q.rates;
      // The current minute is still filling: the rate shown is the last whole one.
      const last = rates?.minutes.at(-2);
      return h(
        "tr",
        { "data-consumer": q.consumer },
        h("th", { scope: "row" }, q.consumer),
        h(
          "td",
          null,
          rates
            ? minuteBars(
                rates.minutes,
                `${q.consumer}: jobs per minute, last ${rates.minutes.length} minutes`,
              )
            : h("span", { class: "muted" }, "n/a"),
        ),
        SERIES.map((field) =>
          h(
            "td",
            {
              class: `num${field !== "processed" && last?.[field] ? " dlq-nonzero" : ""}`,
              "data-field": `rate-${field}`,
            },
            last ? String(last[field]) : "–",
          ),
        ),
        h("td", { class: "num nowrap", "data-field": "p50" }, ms(rates?.durationP50Ms)),
        h("td", { class: "num nowrap", "data-field": "p95" }, ms(rates?.durationP95Ms)),
      );
    }),
  );
  fill(
    note,
    data.throughput.source === "none"
      ? data.throughput.note
      : `Per minute: the last whole minute; the chart shows ${workers[0]?.rates?.minutes.length ?? 10} minutes (processed in green, failed and dead-lettered in red). Retried counts deliveries after the first. Durations over the whole window, every attempt. From ${data.throughput.source === "runner" ? "the local runners' outcomes" : "Fanout's CloudWatch metrics, a few minutes behind"}.`,
  );
}
