// The dashboard's JSON API. Actions carry the header the server requires: a page from another site cannot
// send it without a CORS preflight, which the server never approves.

export class ApiError extends Error {
  constructor(status, message, issues = []) {
    super(message);
    this.status = status;
    /** For a payload the job's schema refused: each field and what is wrong with it. */
    this.issues = issues;
  }
}

async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`, body.issues);
  return body;
}

export async function getJson(path) {
  return answer(await fetch(path, { headers: { Accept: "application/json" } }));
}

/** An action; `body`, when given, is sent as JSON. */
export async function postAction(path, body) {
  const headers = { Accept: "application/json", "X-Fanout-Dashboard": "1" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return answer(
    await fetch(path, {
      method: "POST",
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}
