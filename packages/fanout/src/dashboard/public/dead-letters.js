import { getJson, postAction } from "./api.js";
import { confirmAction } from "./confirm.js";
import { fill, formatAge, h } from "./dom.js";

const count = (n) => Number(n).toLocaleString("en-US");
export const plural = (n, noun) => `${count(n)} ${noun}${n === 1 ? "" : "s"}`;

function groupLabel(group) {
  return `${group.errorCode ?? "no error code"}: ${group.pattern}`;
}

/**
 * The dead letters of one holding queue: its true depth, its reason groups, one page of letters at a time,
 * search, and the actions (redrive, delete, purge; edit in the detail view) when they are allowed.
 */
export function createDeadLetterView({ title, container, allowActions, onChange, openDetail }) {
  let current = null;
  let source = null;
  let message = null;
  /** The read in flight, and the one asked for meanwhile: a request is never dropped, only run after it. */
  let inFlight = null;
  let queued = null;
  let queuedFresh = false;
  let filter = { group: null, q: "" };
  /** What is typed in the search box and not yet searched for: kept when the card is drawn again. */
  let draft = null;
  /** Cursors of the pages before the one shown: Previous pops one. */
  let cursors = [];
  let cursor = null;
  let data = null;

  const sourceQuery = () => (source ? `source=${source}` : "");
  const base = () => `/api/dlq/${encodeURIComponent(current)}`;
  const withSource = (path) => `${path}${source ? `?${sourceQuery()}` : ""}`;

  const view = {
    allowActions,
    get type() {
      return current;
    },
    /** Which holding queue is open: the consumer and, for a subscription's DLQ, "/undelivered". */
    get key() {
      return current === null ? null : `${current}${source ? `/${source}` : ""}`;
    },
    get source() {
      return source;
    },
    async open(type, from = null) {
      current = type;
      source = from;
      message = null;
      filter = { group: null, q: "" };
      draft = null;
      cursors = [];
      cursor = null;
      await view.reload();
    },
    reload({ fresh = false } = {}) {
      if (!current) return Promise.resolve();
      if (inFlight) {
        queuedFresh ||= fresh;
        queued ??= inFlight.then(() => {
          const refresh = queuedFresh;
          queued = null;
          queuedFresh = false;
          return view.reload({ fresh: refresh });
        });
        return queued;
      }
      inFlight = load(fresh).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };

  async function load(fresh) {
    const key = view.key;
    const params = new URLSearchParams();
    if (source) params.set("source", source);
    if (cursor) params.set("cursor", cursor);
    if (filter.group) params.set("group", filter.group);
    if (filter.q) params.set("q", filter.q);
    if (fresh) params.set("refresh", "1");
    try {
      const answer = await getJson(`${base()}?${params}`);
      if (key === view.key) {
        data = answer;
        render();
      }
    } catch (error) {
      fill(container, h("p", { class: "error" }, error.message));
    }
  }

  async function act(path, describe, body) {
    try {
      message = { kind: "ok", text: describe(await postAction(path, body)) };
    } catch (error) {
      message = { kind: "error", text: error.message };
    }
    await Promise.all([view.reload(), onChange()]);
  }

  function firstPage() {
    cursors = [];
    cursor = null;
    return view.reload();
  }

  const actions = {
    async redriveOne(letter) {
      const ok = await confirmAction(
        "Redrive this dead letter?",
        `Job ${letter.jobId ?? letter.messageId} goes back to the queue of ${current}, to be processed again.`,
        "Redrive",
      );
      if (!ok) return false;
      await act(withSource(`${base()}/redrive/${encodeURIComponent(letter.messageId)}`), (r) =>
        r.duplicate
          ? "Moved back (the dead letter could not be deleted: it may be redriven twice)."
          : `Moved job ${letter.jobId ?? letter.messageId} back to ${r.to}.`,
      );
      return true;
    },
    async deleteOne(letter) {
      const ok = await confirmAction(
        "Delete this dead letter?",
        `Job ${letter.jobId ?? letter.messageId} is deleted from ${data.dlq} for good; it will not run.`,
        "Delete",
      );
      if (!ok) return false;
      await act(
        withSource(`${base()}/delete/${encodeURIComponent(letter.messageId)}`),
        () => `Deleted job ${letter.jobId ?? letter.messageId} from ${data.dlq}.`,
      );
      return true;
    },
    /** Sends the corrected payload; resolves to the server's refusal (issues included) or null when sent. */
    async editAndRedrive(letter, payload) {
      try {
        const r = await postAction(`${base()}/edit/${encodeURIComponent(letter.messageId)}`, { payload });
        message = {
          kind: "ok",
          text: `Moved job ${letter.jobId ?? letter.messageId} back to ${r.to} with the edited payload.`,
        };
        await Promise.all([view.reload(), onChange()]);
        return null;
      } catch (error) {
        return error;
      }
    },
  };

  async function groupAction(group, verb) {
    const what = `${plural(group.count, "dead letter")} of “${groupLabel(group)}”`;
    const ok = await confirmAction(
      verb === "redrive" ? "Redrive this group?" : "Delete this group?",
      verb === "redrive"
        ? `The ${what} go back to ${data.queue ?? "the queue of each job's type"}, to be processed again.`
        : `The ${what} are deleted from ${data.dlq} for good.`,
      `${verb === "redrive" ? "Redrive" : "Delete"} ${count(group.count)}`,
    );
    if (!ok) return;
    if (filter.group === group.id) filter.group = null;
    cursors = [];
    cursor = null;
    await act(withSource(`${base()}/groups/${group.id}/${verb}`), (r) =>
      verb === "redrive"
        ? `Moved ${plural(r.moved, "dead letter")} back.`
        : `Deleted ${plural(r.deleted, "dead letter")}${r.missing.length ? ` (${r.missing.length} were gone already)` : ""}.`,
    );
  }

  async function redriveAll() {
    const ok = await confirmAction(
      "Redrive every dead letter?",
      `All ${plural(data.depth, "dead letter")} of ${current} (the queue's count; any that arrive meanwhile go too) go back to ${data.queue ?? "the queue of each job's type"}, to be processed again.`,
      `Redrive ${count(data.depth)}`,
    );
    if (!ok) return;
    await firstPageAfter(() =>
      act(withSource(`${base()}/redrive`), (r) => `Moved ${plural(r.moved, "dead letter")} back to ${r.to}.`),
    );
  }

  async function purge() {
    const ok = await confirmAction(
      `Purge ${data.dlq}?`,
      `All ${plural(data.depth, "dead letter")} in ${data.dlq} are deleted for good, none of them will run. This cannot be undone.`,
      `Purge ${count(data.depth)}`,
      { danger: true },
    );
    if (!ok) return;
    await firstPageAfter(() =>
      act(withSource(`${base()}/purge`), (r) => `Purged ${r.queue} (SQS may take up to a minute to finish).`),
    );
  }

  async function firstPageAfter(task) {
    cursors = [];
    cursor = null;
    filter = { group: null, q: "" };
    await task();
  }

  function letterRow(letter) {
    const canRedrive = allowActions && data.kind !== "unrouted";
    return h(
      "li",
      { class: "letter", "data-message-id": letter.messageId, "data-job-id": letter.jobId ?? "" },
      h(
        "div",
        { class: "letter-head" },
        h(
          "button",
          {
            type: "button",
            class: "link-button mono letter-id",
            title: `message ${letter.messageId}`,
            onclick: () => openDetail(current, source, letter, actions),
          },
          letter.jobId ?? "(no job id)",
        ),
        h("span", { class: "pill pill-dead-lettered" }, letter.errorCode ?? "no error code"),
      ),
      h("p", { class: "letter-reason", "data-field": "reason" }, letter.reason ?? "(no reason recorded)"),
      h(
        "p",
        { class: "letter-meta" },
        [
          letter.attempts === null ? "attempts unknown" : plural(letter.attempts, "attempt"),
          `${formatAge(letter.ageSeconds)} in the DLQ`,
          letter.offloaded ? "payload in S3" : "payload inline",
        ].join(" · "),
      ),
      letter.decodeError ? h("p", { class: "letter-error" }, `Unreadable: ${letter.decodeError}`) : null,
      h("p", { class: "letter-preview mono", "data-field": "payload" }, letter.payloadPreview),
      allowActions
        ? h(
            "div",
            { class: "letter-actions" },
            canRedrive
              ? h(
                  "button",
                  { type: "button", class: "button small", onclick: () => actions.redriveOne(letter) },
                  "Redrive",
                )
              : null,
            h(
              "button",
              {
                type: "button",
                class: "button small",
                onclick: () => openDetail(current, source, letter, actions),
              },
              "Details",
            ),
            h(
              "button",
              { type: "button", class: "button small danger", onclick: () => actions.deleteOne(letter) },
              "Delete",
            ),
          )
        : h(
            "div",
            { class: "letter-actions" },
            h(
              "button",
              {
                type: "button",
                class: "button small",
                onclick: () => openDetail(current, source, letter, actions),
              },
              "Details",
            ),
          ),
    );
  }

  function groupsView() {
    if (data.groups.length === 0) return null;
    return h(
      "ul",
      { class: "groups", "aria-label": "Reasons" },
      data.groups.map((group) =>
        h(
          "li",
          { class: `group${filter.group === group.id ? " selected" : ""}`, "data-group-id": group.id },
          h(
            "button",
            {
              type: "button",
              class: "link-button group-name",
              title: group.example ?? "",
              "aria-pressed": filter.group === group.id ? "true" : "false",
              onclick: () => {
                filter.group = filter.group === group.id ? null : group.id;
                void firstPage();
              },
            },
            h("span", { class: "group-count", "data-field": "count" }, count(group.count)),
            " ",
            h("span", { class: "group-label" }, groupLabel(group)),
          ),
          allowActions
            ? h(
                "span",
                { class: "group-actions" },
                h(
                  "button",
                  { type: "button", class: "button small", onclick: () => groupAction(group, "redrive") },
                  "Redrive group",
                ),
                h(
                  "button",
                  {
                    type: "button",
                    class: "button small danger",
                    onclick: () => groupAction(group, "delete"),
                  },
                  "Delete group",
                ),
              )
            : null,
        ),
      ),
    );
  }

  function searchForm() {
    const input = h("input", {
      type: "search",
      name: "q",
      class: "search-input",
      placeholder: "Job id, message id or text",
      "aria-label": "Search dead letters",
      value: draft ?? filter.q,
      oninput: () => {
        draft = input.value;
      },
    });
    return h(
      "form",
      {
        class: "search",
        role: "search",
        onsubmit: (event) => {
          event.preventDefault();
          filter.q = input.value.trim();
          draft = null;
          void firstPage();
        },
      },
      input,
      h("button", { type: "submit", class: "button small" }, "Search"),
      filter.q || filter.group
        ? h(
            "button",
            {
              type: "button",
              class: "button small",
              onclick: () => {
                filter = { group: null, q: "" };
                draft = null;
                void firstPage();
              },
            },
            "Show all",
          )
        : null,
    );
  }

  function pager() {
    const { page, matching } = data;
    const to = page.from + data.deadLetters.length - 1;
    const filtered = filter.q || filter.group;
    return h(
      "nav",
      { class: "pager", "aria-label": "Pages of dead letters" },
      h(
        "span",
        { class: "muted", "data-field": "range" },
        matching === 0
          ? "none"
          : `${count(page.from)}–${count(to)} of ${count(matching)}${filtered ? " matching" : ""}`,
      ),
      h(
        "button",
        {
          type: "button",
          class: "button small",
          disabled: cursors.length === 0,
          onclick: () => {
            cursor = cursors.pop() ?? null;
            void view.reload();
          },
        },
        "← Previous",
      ),
      h(
        "button",
        {
          type: "button",
          class: "button small",
          disabled: !page.next,
          onclick: () => {
            cursors.push(cursor);
            cursor = page.next;
            void view.reload();
          },
        },
        "Next →",
      ),
    );
  }

  function render() {
    title.textContent =
      data.kind === "dead-letters" ? `Dead letters of ${data.consumer}` : `Waiting: ${data.what}`;
    const letters = data.deadLetters;
    const toolbar = h(
      "div",
      { class: "toolbar" },
      h(
        "span",
        { class: "depth", title: data.dlq, "data-field": "depth" },
        `${plural(data.depth, "dead letter")} in ${data.dlq}`,
      ),
      h(
        "button",
        { type: "button", class: "button small", onclick: () => view.reload({ fresh: true }) },
        "Reload",
      ),
      allowActions && data.depth > 0
        ? h("button", { type: "button", class: "button small primary", onclick: redriveAll }, "Redrive all")
        : null,
      allowActions && data.depth > 0
        ? h("button", { type: "button", class: "button small danger", onclick: purge }, "Purge…")
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
            "Read-only: start the dashboard with --allow-actions to redrive or delete dead letters.",
          ),
      data.indexed < data.depth
        ? h(
            "p",
            { class: "note" },
            `Groups, pages and search cover the oldest ${count(data.indexed)} of them.`,
          )
        : null,
      data.depth === 0 && letters.length === 0
        ? h(
            "p",
            { class: "empty" },
            data.kind === "dead-letters"
              ? `The DLQ of ${data.consumer} is empty.`
              : `${data.dlq} is empty: no ${data.what}.`,
          )
        : [
            groupsView(),
            searchForm(),
            letters.length === 0
              ? h("p", { class: "empty" }, "No dead letter matches.")
              : h("ol", { class: "letters", start: data.page.from }, letters.map(letterRow)),
            pager(),
          ],
      h(
        "p",
        { class: "note" },
        `Attempts: deliveries of the job before it was dead-lettered. The page read this DLQ at ${new Date(data.readAt).toLocaleTimeString([], { hour12: false })}; it reads it again only when its depth changes or on Reload. Each read is a receive of every dead letter (SQS's own receive count, shown as “DLQ reads” in a letter's details), which counts toward no limit.`,
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
