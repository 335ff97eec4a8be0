// The outbox: tests and diary entries are first written to IndexedDB on
// this device, then sent. Whatever could not be sent (no connection, the
// server down) stays here across reloads and is sent when the connection
// returns ("online" event), when the app opens, and every 30 s while
// anything waits. An entry the server refuses (a 4xx answer) is kept and
// marked, so nothing recorded is lost without the person choosing to.
//
// Sending again is safe: each entry gets a random key when it is added,
// sent as the Idempotency-Key header every time, so when an answer is lost
// after the server stored the entry (the connection dropped, the phone
// slept), the next send gets the stored record back (200, Idempotent-
// Replayed) instead of making a duplicate. Entries queued by an older
// version of the app have no key and are sent without the header.

import { api, ApiError, Offline, newKey } from "./api.js";

export const events = new EventTarget(); // "change"; "sent" with detail {id, item, result}

let dbp;
function db() {
  dbp ??= new Promise((resolve, reject) => {
    const req = indexedDB.open("legwork", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbp;
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction("outbox", mode);
    const r = fn(t.objectStore("outbox"));
    t.oncomplete = () => resolve(r && r.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

// add keeps a request to send: {personId, kind, label, method, path, type, body}.
export async function add(item) {
  const id = await tx("readwrite", (s) => s.add({ ...item, idempotencyKey: newKey(), createdAt: new Date().toISOString() }));
  events.dispatchEvent(new Event("change"));
  return id;
}

export const all = () => tx("readonly", (s) => s.getAll());

export async function remove(id) {
  await tx("readwrite", (s) => s.delete(id));
  events.dispatchEvent(new Event("change"));
}

async function put(item) {
  await tx("readwrite", (s) => s.put(item));
  events.dispatchEvent(new Event("change"));
}

// retry clears a refused entry's mark so that it is sent again.
export async function retry(item) {
  const { error, errorField, ...rest } = item;
  await put(rest);
  return flush(item.personId);
}

let running = null;

// flush sends the person's waiting entries, oldest first; it stops at the
// first that cannot be sent now: for lack of a connection, or because the
// server cannot take it yet (401, 429, 5xx). It resolves to that error
// (Offline or ApiError), or to null when nothing was held back.
export function flush(personId) {
  if (!personId) return Promise.resolve(null);
  if (running) return running;
  const work = async () => {
    for (const item of await all()) {
      if (item.personId !== personId || item.error) continue;
      try {
        const headers = item.idempotencyKey ? { "Idempotency-Key": item.idempotencyKey } : {};
        const result = await api(item.method, item.path, { raw: item.body, type: item.type, headers });
        await remove(item.id);
        events.dispatchEvent(new CustomEvent("sent", { detail: { id: item.id, item, result } }));
      } catch (err) {
        if (err instanceof Offline) return err;
        if (err instanceof ApiError && (err.status === 401 || err.status === 429 || err.status >= 500)) return err;
        await put({ ...item, error: err.message, errorField: err.field || "" });
      }
    }
    return null;
  };
  const locked = navigator.locks ? () => navigator.locks.request("legwork-outbox", work) : work;
  running = locked().finally(() => (running = null));
  return running;
}

// why says why an entry still waits on this phone, after "… kept on this
// phone: ", from the error that stopped the sending.
export function why(err) {
  if (err instanceof ApiError && err.status === 401) return "you are no longer signed in. It will be sent once you sign in again.";
  if (err instanceof ApiError) return `the server could not take it now (${err.message}). It will be sent again shortly.`;
  if (!navigator.onLine) return "it will be sent when you are back online.";
  return "the legwork server could not be reached. It will be sent again shortly.";
}

// submit queues a request and tries to send it at once. It resolves to
// {stored: the server's answer}, or, when the request waits on this
// device, to {waiting: why, as the end of a sentence "… kept on this
// phone: "}; a request the server refuses is taken out of the outbox and
// its error thrown (with the field it names, if any).
export async function submit(item) {
  const qid = await add(item);
  let stored = null;
  const on = (e) => { if (e.detail.id === qid) stored = e.detail.result; };
  const left = async () => (await all()).find((i) => i.id === qid);
  events.addEventListener("sent", on);
  let stop;
  try {
    stop = await flush(item.personId).catch((err) => err);
    // A flush already under way read the outbox before this entry was
    // added: send it now, rather than at the next 30 s retry.
    const l = !stored && (await left());
    if (l && !l.error) stop = await flush(item.personId).catch((err) => err);
  } finally {
    events.removeEventListener("sent", on);
  }
  if (stored) return { stored };
  const l = await left();
  if (!l) return { stored: null }; // sent from another tab of the app
  if (l.error) {
    await remove(qid);
    const err = new Error(l.error);
    err.field = l.errorField || "";
    throw err;
  }
  return { waiting: why(stop) };
}

// start sends waiting entries now, when the connection returns, and every
// 30 s while any wait.
export function start(personId) {
  const go = () => flush(personId).catch(() => {});
  window.addEventListener("online", go);
  const timer = setInterval(async () => {
    if ((await all()).some((i) => i.personId === personId && !i.error)) go();
  }, 30000);
  go();
  return () => {
    window.removeEventListener("online", go);
    clearInterval(timer);
  };
}
