import { fill, formatTime, h } from "./dom.js";

const SHOWN = 30;

/** The runners' recent outcomes, newest first, from /api/outcomes. */
export function renderOutcomes(container, data) {
  if (!data.available) {
    fill(container, h("p", { class: "empty" }, data.note));
    return;
  }
  if (data.outcomes.length === 0) {
    fill(container, h("p", { class: "empty" }, "No job has run yet. Publish one and it appears here."));
    return;
  }
  const rows = data.outcomes
    .slice(0, SHOWN)
    .map((o) =>
      h(
        "tr",
        { "data-outcome": o.outcome, "data-job-id": o.jobId },
        h("td", { class: "muted nowrap" }, formatTime(o.at)),
        h("td", { class: "nowrap" }, o.jobType),
        h("td", { class: "mono", title: o.jobId }, o.jobId.slice(0, 8)),
        h("td", null, h("span", { class: `pill pill-${o.outcome}` }, o.outcome)),
        h("td", { class: "num" }, o.attempt ?? ""),
        h("td", { class: "reason" }, o.reason ? `${o.errorCode ?? "Error"}: ${o.reason}` : ""),
      ),
    );
  fill(
    container,
    h(
      "table",
      { class: "table compact" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, "Time"),
          h("th", { scope: "col" }, "Job type"),
          h("th", { scope: "col" }, "Job id"),
          h("th", { scope: "col" }, "Outcome"),
          h("th", { scope: "col", class: "num" }, "Try"),
          h("th", { scope: "col" }, "Reason"),
        ),
      ),
      h("tbody", null, rows),
    ),
  );
}
