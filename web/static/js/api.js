// The JSON API: one function, errors as ApiError (the server's
// {"error": {code, message, field}}) or Offline (no answer at all).

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `the server answered ${status}`);
    this.status = status;
    this.code = e.code || "";
    this.field = e.field || "";
  }
}

export class Offline extends Error {
  constructor() {
    super("No connection to the legwork server. What you record is kept on this phone and sent when the connection is back.");
    this.name = "Offline";
  }
}

// api("GET", "/api/me") → the decoded JSON (null for 204).
// opts.body: an object (sent as JSON) or an ArrayBuffer with opts.type;
// opts.headers: extra request headers, e.g. {"Idempotency-Key": newKey()}.
export async function api(method, path, opts = {}) {
  // The API never redirects: a redirect is a network in the way (a
  // hotel's or hospital's Wi-Fi sign-in page), not legwork's answer.
  const init = { method, credentials: "same-origin", redirect: "manual", headers: { ...opts.headers } };
  if (opts.raw !== undefined) {
    init.body = opts.raw;
    init.headers["Content-Type"] = opts.type;
  } else if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    init.headers["Content-Type"] = "application/json";
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new Offline();
  }
  if (res.type === "opaqueredirect") throw new Offline();
  if (res.status === 204) return null;
  let body = null;
  try {
    body = await res.json();
  } catch {
    if (!res.ok) throw new ApiError(res.status, null);
    // A success that is not JSON did not come from legwork (a sign-in
    // page answering every address): treat it as no connection, so that
    // nothing waiting to be sent is taken for sent.
    throw new Offline();
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// newKey returns a random key for the Idempotency-Key header, which makes a
// create safe to send again: the server answers a repeat with the record
// the first made. A UUID where the browser has crypto.randomUUID (secure
// contexts only), else 32 random hex digits.
export function newKey() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// query builds "?a=1&b=2" from an object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? "?" + s : "";
}

// Which optional routes this server has (added by later versions):
// insights and the clinician report.
let features;
export function serverFeatures() {
  features ??= api("GET", "/api/openapi.json")
    .then((doc) => ({
      insights: "/api/people/{id}/insights" in doc.paths,
      report: "/api/people/{id}/report" in doc.paths,
    }))
    .catch(() => ({ insights: false, report: false }));
  return features;
}
