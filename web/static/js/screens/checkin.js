// Saving diary entries through the outbox, so that a check-in made
// without a connection is kept and sent later.
import * as outbox from "../outbox.js";

export function timeOfDay(d = new Date()) {
  const h = d.getHours();
  return h < 5 ? "night" : h < 12 ? "morning" : h < 18 ? "afternoon" : h < 22 ? "evening" : "night";
}

// saveDiary queues the entry and tries to send it at once. It resolves to
// {stored: the stored entry} or, when it waits on this device, to
// {waiting: why} (see outbox.submit).
export function saveDiary(personId, entry, id) {
  const path = `/api/people/${personId}/diary` + (id ? `/${id}` : "");
  return outbox.submit({
    personId, kind: "diary", label: id ? "Diary change" : "Diary entry", method: id ? "PUT" : "POST",
    path, type: "application/json", body: JSON.stringify(entry),
  });
}
