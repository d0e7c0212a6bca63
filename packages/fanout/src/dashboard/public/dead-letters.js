import { getJson, postAction } from "./api.js";
import { confirmAction } from "./confirm.js";
import { fill, formatAge, h } from "./dom.js";

const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function letterView(letter, view) {
  const payloadSource = letter.offloaded ? "payload from S3" : "payload inline";
  return h(
    "article",
    { class: "letter", "data-message-id": letter.messageId },
    h(
      "header",
      { class: "letter-head" },
      h(
        "span",
        { class: "mono letter-id", title: `message ${letter.messageId}` },
        letter.jobId ?? "(no job id)",
      ),
      h("span", { class: "pill pill-dead-lettered" }, letter.errorCode ?? "no error code"),
      view.allowActions && view.type !== "unrouted"
        ? h(
            "button",
            { type: "button", class: "button small", onclick: () => view.redriveOne(letter) },
            "Redrive",
          )
        : null,
    ),
    h("p", { class: "letter-reason", "data-field": "reason" }, letter.reason ?? "(no reason recorded)"),
    h(
      "p",
      { class: "letter-meta" },
      [
        letter.attempts === null ? "attempts unknown" : `failed after ${plural(letter.attempts, "attempt")}`,
        `received ${plural(letter.receiveCount, "time")} as a dead letter`,
        `${formatAge(letter.ageSeconds)} in the DLQ`,
        payloadSource,
      ].join(" · "),
    ),
    letter.decodeError ? h("p", { class: "letter-error" }, `Unreadable: ${letter.decodeError}`) : null,
    h(
      "details",
      { class: "letter-payload" },
      h("summary", null, "Payload"),
      h(
        "pre",
        null,
        letter.payloadText,
        letter.payloadTruncated ? "\n… (cut; the CLI's dlq peek --json has it all)" : "",
      ),
    ),
  );
}

/** The dead-letter view of one job type: decoded letters, and redrive buttons when actions are allowed. */
export function createDeadLetterView({ title, container, allowActions, onChange }) {
  let current = null;
  let source = null;
  let message = null;
  let loading = false;
  const query = () => (source ? `?source=${source}` : "");

  const view = {
    allowActions,
    get type() {
      return current;
    },
    /** Which holding queue is open: the consumer and, for a subscription's DLQ, "/undelivered". */
    get key() {
      return current === null ? null : `${current}${source ? `/${source}` : ""}`;
    },
    async open(type, from = null) {
      current = type;
      source = from;
      message = null;
      await view.reload();
    },
    async reload() {
      if (!current || loading) return;
      loading = true;
      const key = view.key;
      try {
        const data = await getJson(`/api/dlq/${encodeURIComponent(current)}${query()}`);
        if (key === view.key) render(data);
      } catch (error) {
        fill(container, h("p", { class: "error" }, error.message));
      } finally {
        loading = false;
      }
    },
    async redriveOne(letter) {
      const ok = await confirmAction(
        "Redrive this dead letter?",
        `Job ${letter.jobId ?? letter.messageId} goes back to the queue of ${current}, to be processed again.`,
        "Redrive",
      );
      if (!ok) return;
      await act(
        `/api/dlq/${encodeURIComponent(current)}/redrive/${encodeURIComponent(letter.messageId)}${query()}`,
        (r) =>
          r.duplicate
            ? "Moved back (the dead letter could not be deleted: it may be redriven twice)."
            : `Moved job ${letter.jobId ?? letter.messageId} back to ${r.to}.`,
      );
    },
    async redriveAll(count) {
      const ok = await confirmAction(
        "Redrive every dead letter?",
        `All ${plural(count, "dead letter")} of ${current} (the queue's count; any that arrive meanwhile go too) go back to its queue, to be processed again.`,
        `Redrive ${count}`,
      );
      if (!ok) return;
      await act(
        `/api/dlq/${encodeURIComponent(current)}/redrive${query()}`,
        (r) => `Moved ${plural(r.moved, "dead letter")} back to ${r.to}.`,
      );
    },
  };

  async function act(path, describe) {
    try {
      message = { kind: "ok", text: describe(await postAction(path)) };
    } catch (error) {
      message = { kind: "error", text: error.message };
    }
    await Promise.all([view.reload(), onChange()]);
  }

  function render(data) {
    title.textContent =
      data.kind === "dead-letters" ? `Dead letters of ${data.consumer}` : `Waiting: ${data.what}`;
    const letters = data.deadLetters;
    const toolbar = h(
      "div",
      { class: "toolbar" },
      h(
        "span",
        { class: "muted", title: data.dlq },
        data.depth > letters.length
          ? `${plural(data.depth, "dead letter")} in ${data.dlq}, ${letters.length} of them shown`
          : `${plural(data.depth, "dead letter")} in ${data.dlq}`,
      ),
      h("button", { type: "button", class: "button small", onclick: () => view.reload() }, "Reload"),
      allowActions && letters.length > 0
        ? h(
            "button",
            { type: "button", class: "button small primary", onclick: () => view.redriveAll(data.depth) },
            "Redrive all",
          )
        : null,
    );
    fill(
      container,
      toolbar,
      message ? h("p", { class: `flash flash-${message.kind}`, role: "status" }, message.text) : null,
      allowActions
        ? null
        : h(
            "p",
            { class: "note" },
            "Read-only: start the dashboard with --allow-actions to redrive dead letters.",
          ),
      letters.length === 0
        ? h(
            "p",
            { class: "empty" },
            data.kind === "dead-letters"
              ? `The DLQ of ${data.consumer} is empty.`
              : `${data.dlq} is empty: no ${data.what}.`,
          )
        : letters.map((letter) => letterView(letter, view)),
      letters.length >= data.limit ? h("p", { class: "note" }, `Showing the first ${data.limit}.`) : null,
      h(
        "p",
        { class: "note" },
        "Reading dead letters is a receive: each one's receive count goes up by one; none is removed.",
      ),
    );
  }

  fill(
    container,
    h(
      "p",
      { class: "empty" },
      "Pick a DLQ in the picture or “Dead letters →” in the table to read its dead letters.",
    ),
  );
  return view;
}
