import { fill, h } from "./dom.js";

function every(seconds) {
  if (seconds % 86400 === 0) return `every ${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

/** The registry's schedules, from /api/schedules: expression, next run, last run and its job. */
export function renderSchedules(section, table, note, data, openJob) {
  section.hidden = data.schedules.length === 0;
  fill(
    table.tBodies[0],
    data.schedules.map((schedule) =>
      h(
        "tr",
        { "data-schedule": schedule.name },
        h("th", { scope: "row", title: schedule.description }, schedule.name),
        h("td", null, schedule.jobType),
        h(
          "td",
          { class: "mono" },
          schedule.expression,
          h("span", { class: "muted" }, ` ${schedule.timeZone}`),
          schedule.everySeconds ? h("span", { class: "muted" }, ` (${every(schedule.everySeconds)})`) : null,
        ),
        h(
          "td",
          { class: "nowrap", "data-field": "next" },
          schedule.nextRun ? new Date(schedule.nextRun).toLocaleString([], { hour12: false }) : "–",
        ),
        h(
          "td",
          { "data-field": "last" },
          schedule.lastRun
            ? [
                `${new Date(schedule.lastRun.firedAt).toLocaleTimeString([], { hour12: false })} `,
                h(
                  "button",
                  {
                    type: "button",
                    class: "link-button mono",
                    title: schedule.lastRun.jobId,
                    onclick: () => openJob(schedule.lastRun.jobId),
                  },
                  schedule.lastRun.jobId,
                ),
              ]
            : h("span", { class: "muted" }, "–"),
        ),
      ),
    ),
  );
  fill(note, data.note);
}
