// Saving diary entries through the outbox, so that a check-in made
// without a connection is kept and sent later.
import * as outbox from "../outbox.js";

export function timeOfDay(d = new Date()) {
  const h = d.getHours();
  return h < 5 ? "night" : h < 12 ? "morning" : h < 18 ? "afternoon" : h < 22 ? "evening" : "night";
}

// saveDiary queues the entry and tries to send it at once. It resolves to
// the stored entry, or to null when it is waiting on this device.
export async function saveDiary(personId, entry, id) {
  const path = `/api/people/${personId}/diary` + (id ? `/${id}` : "");
  const qid = await outbox.add({
    personId, kind: "diary", label: id ? "Diary change" : "Diary entry", method: id ? "PUT" : "POST",
    path, type: "application/json", body: JSON.stringify(entry),
  });
  let stored = null;
  const on = (e) => { if (e.detail.id === qid) stored = e.detail.result; };
  outbox.events.addEventListener("sent", on);
  await outbox.flush(personId).catch(() => {});
  outbox.events.removeEventListener("sent", on);
  if (stored) return stored;
  const left = (await outbox.all()).find((i) => i.id === qid);
  if (left && left.error) {
    await outbox.remove(qid);
    const err = new Error(left.error);
    throw err;
  }
  return null;
}
