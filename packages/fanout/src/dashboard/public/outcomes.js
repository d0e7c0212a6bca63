import { fill, formatTime, h } from "./dom.js";

const SHOWN = 100;

/** The runners' recent outcomes, newest first, from /api/outcomes; a job id opens the job's detail. */
export function renderOutcomes(container, data, openJob) {
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
        h(
          "td",
          { class: "job-id" },
          h(
            "button",
            { type: "button", class: "link-button mono", title: o.jobId, onclick: () => openJob(o.jobId) },
            o.jobId,
          ),
        ),
        h("td", null, h("span", { class: `pill pill-${o.outcome}` }, o.outcome)),
        h("td", { class: "num" }, o.attempt ?? ""),
        h("td", { class: "num nowrap" }, `${Math.round(o.durationMs)} ms`),
        h("td", { class: "reason" }, o.reason ? `${o.errorCode ?? "Error"}: ${o.reason}` : ""),
      ),
    );
  fill(
    container,
    h(
      "table",
      { class: "table compact outcomes-table" },
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
          h("th", { scope: "col", class: "num" }, "Took"),
          h("th", { scope: "col" }, "Reason"),
        ),
      ),
      h("tbody", null, rows),
    ),
  );
}
