import { s, shorten } from "./dom.js";

// The topology as a picture, from /api/topology: the topic on the left, one row per queue with its
// consumer and its DLQ, and under the topic the schedules that publish to it. Plain SVG, laid out on a grid:
// a registry has a handful of job types, not hundreds.

const ROW = 78;
const BOX_H = 52;
const TOP = 34;
const COLUMNS = { topic: 16, queue: 400, consumer: 660, dlq: 920 };
const WIDTH = { topic: 160, queue: 200, consumer: 200, dlq: 200 };
const VIEW_WIDTH = 1136;
/** Where the topic's edges straighten out, so each filter label sits over its own edge. */
const FILTER_RUN = 180;

function box(kind, x, y, width, caption, name, extra = {}) {
  return s(
    "g",
    { class: `node node-${kind}`, transform: `translate(${x} ${y})`, ...extra.attributes },
    s("title", { text: extra.title ?? name }),
    s("rect", { width, height: BOX_H, rx: 8 }),
    s("text", { x: 12, y: 20, class: "node-caption", text: caption }),
    s("text", { x: 12, y: 39, class: "node-name", text: shorten(name, Math.floor((width - 24) / 7.6)) }),
    extra.badge,
  );
}

function arrow(x1, y1, x2, y2, kind = "", straight = 0) {
  // The head's tip sits 6 units before the box; the straight run ends there, so the head points forward.
  const bend = x2 - 6 - straight;
  const mid = (x1 + bend) / 2;
  return s("path", {
    class: `edge ${kind}`,
    d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${bend} ${y2}${straight > 0 ? ` L ${x2 - 6} ${y2}` : ""}`,
    "marker-end": "url(#arrow)",
  });
}

function header(x, width, text) {
  return s("text", { x: x + width / 2, y: 16, class: "column-title", "text-anchor": "middle", text });
}

/** When a schedule runs next, short enough for its box: the time of day, with the date when it is not today. */
export function formatNextRun(iso) {
  if (!iso) return "next run unknown";
  const date = new Date(iso);
  const time = date.toLocaleTimeString([], { hour12: false, hour: "2-digit", minute: "2-digit" });
  if (new Date().toDateString() === date.toDateString()) return `next ${time}`;
  return `next ${date.toLocaleDateString([], { month: "numeric", day: "numeric" })} ${time}`;
}

/** Draws the picture; returns a function that puts live DLQ depths, queue figures and next runs on it. */
export function drawTopology(container, topology, schedules = []) {
  const standard = [
    ...topology.workers.filter((w) => !w.fifo).map((w) => ({ kind: "worker", name: w.type, ...w })),
    ...topology.subscribers.map((sub) => ({ kind: "subscriber", ...sub })),
    { kind: "unrouted", name: "unrouted", ...topology.unrouted },
  ];
  const ordered = topology.workers.filter((w) => w.fifo).map((w) => ({ kind: "worker", name: w.type, ...w }));
  // Each topic sits centred on its queues; the schedules stack below the standard topic, and the FIFO topic's
  // queues come after both.
  const topicY = TOP + (standard.length * ROW - ROW) / 2;
  const fifoStart = Math.max(TOP + standard.length * ROW, topicY + ROW * (schedules.length + 1));
  const fifoTopicY = fifoStart + (ordered.length * ROW - ROW) / 2;
  const height = ordered.length > 0 ? fifoStart + ordered.length * ROW : fifoStart;
  const rows = [
    ...standard.map((row, i) => ({ ...row, y: TOP + i * ROW, fromY: topicY })),
    ...ordered.map((row, i) => ({ ...row, y: fifoStart + i * ROW, fromY: fifoTopicY })),
  ];
  const svg = s(
    "svg",
    {
      viewBox: `0 0 ${VIEW_WIDTH} ${height}`,
      class: "topology-svg",
      role: "img",
      "aria-label": `Topic ${topology.topic} fanning out to ${standard.length} queues${ordered.length ? `, FIFO topic ${topology.fifoTopic} to ${ordered.length}` : ""}`,
    },
    s(
      "defs",
      null,
      s(
        "marker",
        {
          id: "arrow",
          viewBox: "0 0 10 10",
          refX: 4,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto",
        },
        s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" }),
      ),
    ),
    header(COLUMNS.topic, WIDTH.topic, "SNS"),
    header(COLUMNS.queue, WIDTH.queue, "SQS queue per job type"),
    header(COLUMNS.consumer, WIDTH.consumer, "Consumer"),
    header(COLUMNS.dlq, WIDTH.dlq, "Dead-letter queue"),
  );
  const live = new Map();
  for (const row of rows) {
    const { y } = row;
    const centre = y + BOX_H / 2;
    const filter =
      row.kind === "worker"
        ? `jobType = ${row.name}`
        : row.kind === "unrouted"
          ? "any other jobType, or none"
          : filterText(row.filterPolicy);
    svg.append(
      arrow(COLUMNS.topic + WIDTH.topic, row.fromY + BOX_H / 2, COLUMNS.queue, centre, "", FILTER_RUN),
      s("text", {
        x: COLUMNS.queue - FILTER_RUN / 2 - 4,
        y: centre - 7,
        class: "edge-label",
        "text-anchor": "middle",
        text: filter,
      }),
    );
    const queueFigures = s("text", {
      x: WIDTH.queue - 12,
      y: 20,
      class: "node-figure",
      "text-anchor": "end",
    });
    svg.append(
      box(
        "queue",
        COLUMNS.queue,
        y,
        WIDTH.queue,
        row.fifo
          ? "FIFO queue"
          : { worker: "queue", subscriber: "subscriber queue", unrouted: "unrouted queue" }[row.kind],
        row.name,
        {
          title: row.queue,
          badge: queueFigures,
        },
      ),
    );
    if (row.kind === "unrouted") {
      const link = s("a", { href: "#/dlq/unrouted", "aria-label": "Unrouted jobs" });
      link.append(
        box("external", COLUMNS.consumer, y, WIDTH.consumer, "no worker yet", "redrive once one exists", {
          title: `${row.queue} keeps jobs no worker is subscribed for`,
        }),
      );
      svg.append(arrow(COLUMNS.queue + WIDTH.queue, centre, COLUMNS.consumer, centre, "edge-failure"), link);
      live.set(row.name, { queueFigures, dlqCount: null, dlqNode: null });
      continue;
    }
    svg.append(arrow(COLUMNS.queue + WIDTH.queue, centre, COLUMNS.consumer, centre));
    svg.append(
      row.kind === "worker"
        ? box("consumer", COLUMNS.consumer, y, WIDTH.consumer, "λ Lambda", row.function, {
            title: `${row.function}: ${row.description}`,
          })
        : box("external", COLUMNS.consumer, y, WIDTH.consumer, "read outside Fanout", row.name, {
            title: `${row.queue} is read by code outside Fanout`,
          }),
    );
    const dlqCount = s("text", { x: WIDTH.dlq - 12, y: 20, class: "node-figure", "text-anchor": "end" });
    const dlqLink = s("a", {
      href: `#/dlq/${encodeURIComponent(row.name)}`,
      "aria-label": `Dead letters of ${row.name}`,
    });
    dlqLink.append(
      box("dlq", COLUMNS.dlq, y, WIDTH.dlq, `DLQ · after ${row.maxReceiveCount} receives`, row.dlq, {
        badge: dlqCount,
        attributes: { "data-dlq": row.name },
      }),
    );
    svg.append(
      dlqLink,
      arrow(COLUMNS.consumer + WIDTH.consumer, centre, COLUMNS.dlq, centre, "edge-failure"),
    );
    live.set(row.name, { queueFigures, dlqCount, dlqNode: dlqLink.firstChild });
  }
  svg.append(
    box("topic", COLUMNS.topic, topicY, WIDTH.topic, "topic", topology.topic, {
      title: `${topology.topic}; payloads over 256 KiB via s3://${topology.bucket}`,
    }),
  );
  if (topology.fifoTopic) {
    svg.append(
      box("topic", COLUMNS.topic, fifoTopicY, WIDTH.topic, "FIFO topic · ordered", topology.fifoTopic, {
        title: `${topology.fifoTopic}: the ordered job types, in order per message group`,
      }),
    );
  }
  const nextRuns = new Map();
  schedules.forEach((schedule, i) => {
    const y = topicY + ROW * (i + 1);
    const node = box(
      "schedule",
      COLUMNS.topic,
      y,
      WIDTH.topic,
      `schedule · ${formatNextRun(schedule.nextRun)}`,
      schedule.name,
      {
        title: `${schedule.name}: ${schedule.expression} (${schedule.timeZone}) publishes ${schedule.jobType}`,
        attributes: { "data-schedule": schedule.name },
      },
    );
    const next = node.querySelector(".node-caption");
    const x = COLUMNS.topic + WIDTH.topic / 2;
    svg.append(
      s("path", {
        class: "edge",
        d: `M ${x} ${y} L ${x} ${y - ROW + BOX_H + 6}`,
        "marker-end": "url(#arrow)",
      }),
      node,
    );
    nextRuns.set(schedule.name, next);
  });
  container.replaceChildren(svg);
  return (queues, currentSchedules = []) => {
    for (const schedule of currentSchedules) {
      const next = nextRuns.get(schedule.name);
      if (next) next.textContent = `schedule · ${formatNextRun(schedule.nextRun)}`;
    }
    for (const q of queues) {
      const parts = live.get(q.consumer);
      if (!parts || !q.figures) continue;
      parts.queueFigures.textContent = `${q.figures.visible} waiting`;
      if (!parts.dlqCount) continue;
      parts.dlqCount.textContent = String(q.figures.dlqDepth);
      parts.dlqNode.classList.toggle("has-dead-letters", q.figures.dlqDepth > 0);
    }
  };
}

function filterText(policy) {
  const values = policy.jobType ?? [];
  if (values.some((v) => typeof v === "object" && v?.exists === true)) return "every job";
  return values.length > 2 ? `${values.length} job types` : `jobType ∈ ${values.join(", ")}`;
}
