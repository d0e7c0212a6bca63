import { getJson } from "./api.js";
import { fill, formatTime, h } from "./dom.js";

function facts(rows) {
  return h(
    "dl",
    { class: "facts" },
    rows
      .filter(([, value]) => value !== undefined)
      .flatMap(([name, value, field]) => [
        h("dt", null, name),
        h("dd", field ? { "data-field": field } : null, value ?? "–"),
      ]),
  );
}

function attemptsView(detail) {
  if (detail.attempts === null) return h("p", { class: "note" }, detail.attemptsNote);
  if (detail.attempts.length === 0) {
    return h(
      "p",
      { class: "note" },
      "The local runners have not reported an attempt of this job since they started.",
    );
  }
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "table compact", "data-field": "attempts" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col", class: "num" }, "Attempt"),
          h("th", { scope: "col" }, "Time"),
          h("th", { scope: "col" }, "Outcome"),
          h("th", { scope: "col", class: "num" }, "Duration"),
          h("th", { scope: "col" }, "Reason"),
        ),
      ),
      h(
        "tbody",
        null,
        detail.attempts.map((a) =>
          h(
            "tr",
            { "data-outcome": a.outcome },
            h("td", { class: "num" }, a.attempt),
            h("td", { class: "nowrap" }, formatTime(a.at)),
            h("td", null, h("span", { class: `pill pill-${a.outcome}` }, a.outcome)),
            h("td", { class: "num nowrap" }, `${Math.round(a.durationMs)} ms`),
            h("td", { class: "reason" }, a.reason ? `${a.errorCode ?? "Error"}: ${a.reason}` : ""),
          ),
        ),
      ),
    ),
  );
}

/**
 * The job detail dialog: the envelope, the dead letter and its payload (pointers resolved), every attempt the
 * runners saw with its outcome and duration, the correlation chain, and the letter's actions.
 */
export function createJobDetail({ dialog, allowActions }) {
  const body = dialog.querySelector(".detail-body");
  const heading = dialog.querySelector(".detail-title");
  dialog.querySelector(".detail-close").addEventListener("click", () => dialog.close());

  async function show(path, context) {
    fill(body, h("p", { class: "muted" }, "Reading…"));
    heading.textContent = "Job";
    if (!dialog.open) dialog.showModal();
    try {
      render(await getJson(path), context);
    } catch (error) {
      fill(body, h("p", { class: "error" }, error.message));
    }
  }

  function editor(letter, detail, actions) {
    const area = h("textarea", {
      class: "payload-editor mono",
      rows: 12,
      spellcheck: "false",
      "aria-label": "Payload as JSON",
    });
    area.value = detail.deadLetter.payloadText;
    const problems = h("div", { class: "edit-problems", role: "alert" });
    const submit = h("button", { type: "submit", class: "button primary" }, "Validate and redrive");
    return h(
      "form",
      {
        class: "edit",
        onsubmit: async (event) => {
          event.preventDefault();
          let payload;
          try {
            payload = JSON.parse(area.value);
          } catch (error) {
            fill(problems, h("p", { class: "error" }, `Not JSON: ${error.message}`));
            return;
          }
          submit.disabled = true;
          const refused = await actions.editAndRedrive(letter, payload);
          submit.disabled = false;
          if (!refused) {
            dialog.close();
            return;
          }
          fill(
            problems,
            h("p", { class: "error" }, refused.message),
            refused.issues?.length
              ? h(
                  "ul",
                  { class: "issues" },
                  refused.issues.map((issue) =>
                    h("li", null, h("code", null, issue.path || "(payload)"), ` ${issue.message}`),
                  ),
                )
              : null,
          );
        },
      },
      h("label", null, "Edit the payload; it is checked against the job's schema before it is sent."),
      area,
      problems,
      h("div", { class: "confirm-buttons" }, submit),
    );
  }

  function render(detail, context) {
    heading.textContent = detail.jobId ? `Job ${detail.jobId}` : "Dead letter";
    const letter = detail.deadLetter;
    const actions = context?.actions;
    const canAct = allowActions && letter && actions;
    const editSlot = h("div", null);
    fill(
      body,
      h("h4", null, "Envelope"),
      detail.envelope
        ? facts([
            ["Job id", detail.envelope.id, "jobId"],
            ["Type", detail.envelope.type],
            [
              "Published",
              detail.envelope.createdAt ? new Date(detail.envelope.createdAt).toLocaleString() : null,
            ],
            ["Correlation id", detail.envelope.correlationId ?? `${detail.envelope.id} (its own)`],
          ])
        : facts([
            ["Job id", detail.jobId],
            ["Type", detail.jobType],
          ]),
      letter
        ? [
            h("h4", null, "Dead letter"),
            facts([
              ["Queue", letter.dlq],
              ["Error", letter.errorCode],
              [
                "Reason",
                h(
                  "span",
                  { class: "detail-reason", "data-field": "reason" },
                  letter.reason ?? "(no reason recorded)",
                ),
              ],
              ["Attempts", letter.attempts === null ? "unknown" : String(letter.attempts), "attempts"],
              [
                "DLQ reads",
                `${letter.dlqReads} (receives of the dead letter itself; they count toward nothing)`,
              ],
              ["Failed at", letter.failedAt ? new Date(letter.failedAt).toLocaleString() : null],
              ["Payload", letter.offloaded ? "offloaded to S3, read back through its pointer" : "inline"],
            ]),
            letter.decodeError
              ? h("p", { class: "letter-error" }, `Unreadable: ${letter.decodeError}`)
              : null,
          ]
        : null,
      h("h4", null, "Attempts"),
      attemptsView(detail),
      letter
        ? [
            h("h4", null, "Payload"),
            h(
              "pre",
              { class: "payload", "data-field": "payload" },
              letter.payloadText,
              letter.payloadTruncated ? "\n… (cut; the CLI's dlq peek --json has it all)" : "",
            ),
          ]
        : null,
      detail.chain
        ? [
            h("h4", null, "Correlation chain"),
            h(
              "p",
              { class: "note" },
              `Jobs sharing correlation id ${detail.chain.id}; the job with that id started the chain.`,
            ),
            detail.chain.jobs.length === 0
              ? h("p", { class: "muted" }, "No other job of this chain is known to the dashboard.")
              : h(
                  "ul",
                  { class: "chain" },
                  detail.chain.jobs.map((link) =>
                    h(
                      "li",
                      { "data-job-id": link.jobId },
                      h(
                        "button",
                        {
                          type: "button",
                          class: "link-button mono",
                          onclick: () => show(`/api/jobs/${encodeURIComponent(link.jobId)}`),
                        },
                        link.jobId,
                      ),
                      link.jobId === detail.chain.rootJobId ? h("span", { class: "tag" }, "first") : null,
                      link.jobId === detail.jobId ? h("span", { class: "tag" }, "this job") : null,
                      ` ${link.jobType ?? ""} `,
                      h("span", { class: `pill pill-${link.outcome}` }, link.outcome),
                    ),
                  ),
                ),
          ]
        : null,
      canAct
        ? h(
            "div",
            { class: "detail-actions" },
            context.letter && detail.deadLetter.kind !== "unrouted"
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "button",
                    onclick: async () => {
                      if (await actions.redriveOne(context.letter)) dialog.close();
                    },
                  },
                  "Redrive",
                )
              : null,
            letter.kind === "dead-letters" && !letter.payloadTruncated && !letter.decodeError
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "button",
                    onclick: () => fill(editSlot, editor(context.letter, detail, actions)),
                  },
                  "Edit and redrive…",
                )
              : null,
            h(
              "button",
              {
                type: "button",
                class: "button danger",
                onclick: async () => {
                  if (await actions.deleteOne(context.letter)) dialog.close();
                },
              },
              "Delete",
            ),
          )
        : null,
      editSlot,
    );
  }

  return {
    /** A dead letter of the open DLQ, with its actions. */
    openLetter(type, source, letter, actions) {
      const query = source ? `?source=${source}` : "";
      return show(
        `/api/dlq/${encodeURIComponent(type)}/letters/${encodeURIComponent(letter.messageId)}${query}`,
        { letter, actions },
      );
    },
    /** Any job the runners reported or a read DLQ holds. */
    openJob(jobId) {
      return show(`/api/jobs/${encodeURIComponent(jobId)}`);
    },
  };
}
