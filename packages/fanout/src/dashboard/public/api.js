// The dashboard's JSON API. Actions carry the header the server requires: a page from another site cannot
// send it without a CORS preflight, which the server never approves.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`);
  return body;
}

export async function getJson(path) {
  return answer(await fetch(path, { headers: { Accept: "application/json" } }));
}

export async function postAction(path) {
  return answer(
    await fetch(path, {
      method: "POST",
      headers: { Accept: "application/json", "X-Fanout-Dashboard": "1" },
    }),
  );
}
