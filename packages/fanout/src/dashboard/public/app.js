import { getJson } from "./api.js";
import { createDeadLetterView } from "./dead-letters.js";
import { fill, formatTime, h } from "./dom.js";
import { renderFigures } from "./figures.js";
import { createJobDetail } from "./job-detail.js";
import { renderOutcomes } from "./outcomes.js";
import { renderQueues } from "./queues.js";
import { renderSchedules } from "./schedules.js";
import { drawTopology } from "./topology.js";

const $ = (id) => document.getElementById(id);

const TARGETS = { local: "local cloud", endpoint: "custom endpoint", aws: "AWS" };

function showError(text) {
  const banner = $("error");
  banner.hidden = !text;
  banner.textContent = text ?? "";
}

async function main() {
  const [meta, topology, firstSchedules] = await Promise.all([
    getJson("/api/meta"),
    getJson("/api/topology"),
    getJson("/api/schedules"),
  ]);
  document.title = `Fanout · ${meta.app}`;
  $("app-name").textContent = meta.app;
  fill(
    $("badges"),
    h("span", { class: "badge", title: meta.endpoint ?? "" }, TARGETS[meta.target] ?? meta.target),
    h(
      "span",
      { class: `badge ${meta.allowActions ? "badge-actions" : "badge-readonly"}` },
      meta.allowActions ? "actions allowed" : "read-only",
    ),
  );
  const updateTopology = drawTopology($("topology"), topology, firstSchedules.schedules);
  const depths = new Map();

  async function refresh() {
    try {
      const [queues, outcomes, schedules] = await Promise.all([
        getJson("/api/queues"),
        getJson("/api/outcomes"),
        getJson("/api/schedules"),
      ]);
      showError(queues.error ? `Figures could not be read: ${queues.error}` : null);
      renderQueues($("queues"), $("queues-note"), queues);
      renderFigures($("figures"), $("figures-note"), queues);
      updateTopology(queues.queues, schedules.schedules);
      renderSchedules($("schedules-section"), $("schedules"), $("schedules-note"), schedules, (jobId) =>
        detail.openJob(jobId),
      );
      renderOutcomes($("outcomes"), outcomes, (jobId) => detail.openJob(jobId));
      $("sampled").textContent = queues.sampledAt ? `figures of ${formatTime(queues.sampledAt)}` : "reading…";
      // The open DLQ is asked for again only when its depth changes; the server then reads it again.
      const open = deadLetters.key;
      const depthOf = (q) =>
        `${q.figures?.dlqDepth}/${q.figures?.undelivered}/${q.kind === "unrouted" ? q.figures?.visible : ""}`;
      const depth = queues.queues.find((q) => q.consumer === deadLetters.type);
      if (open && depth && depths.has(open) && depths.get(open) !== depthOf(depth)) void deadLetters.reload();
      if (open && depth) depths.set(open, depthOf(depth));
    } catch (error) {
      showError(`The dashboard server does not answer (${error.message}); is it still running?`);
    }
  }

  const detail = createJobDetail({ dialog: $("detail"), allowActions: meta.allowActions });
  const deadLetters = createDeadLetterView({
    title: $("dlq-title"),
    container: $("dead-letters"),
    allowActions: meta.allowActions,
    onChange: refresh,
    openDetail: (type, source, letter, actions) => detail.openLetter(type, source, letter, actions),
  });

  function route() {
    const job = /^#\/job\/(.+)$/.exec(location.hash);
    if (job) {
      void detail.openJob(decodeURIComponent(job[1]));
      return;
    }
    const match = /^#\/dlq\/([^/]+)(\/undelivered)?$/.exec(location.hash);
    if (!match) return;
    void deadLetters.open(decodeURIComponent(match[1]), match[2] ? "undelivered" : null);
    $("dlq-section").scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", route);
  route();

  await refresh();
  document.body.dataset.ready = "true";
  const tick = async () => {
    await refresh();
    setTimeout(tick, meta.sampleIntervalMs);
  };
  setTimeout(tick, meta.sampleIntervalMs);
}

main().catch((error) => showError(`The dashboard could not start: ${error.message}`));
