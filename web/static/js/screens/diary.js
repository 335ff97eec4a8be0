// The symptom diary: entries newest first, and a form to add or change
// one (leg symptoms, which leg, time of day, triggers, fatigue, falls and
// near-falls).
import { html, useState, useEffect, Screen, Scale, Chips, Choice, Problem, Note, useLoad } from "../ui.js";
import { api, query } from "../api.js";
import * as outbox from "../outbox.js";
import { SENSATIONS, TRIGGERS, when } from "../format.js";
import { saveDiary, timeOfDay } from "./checkin.js";
import { go } from "../nav.js";

const LEGS = { left: "Left", right: "Right", both: "Both" };
const TIMES = { morning: "Morning", afternoon: "Afternoon", evening: "Evening", night: "Night" };
const FALLS = { near_fall: "Near-fall", fall: "Fall" };

function summary(e) {
  const parts = [];
  if (e.severity !== undefined && e.severity !== null) parts.push(`Legs ${e.severity}/10`);
  if (e.sensations?.length) parts.push(e.sensations.map((s) => SENSATIONS[s] || s).join(", "));
  if (e.sensation_other) parts.push(`“${e.sensation_other}”`);
  if (e.leg) parts.push(`${LEGS[e.leg]} leg${e.leg === "both" ? "s" : ""}`);
  if (e.fatigue !== undefined && e.fatigue !== null) parts.push(`Fatigue ${e.fatigue}/10`);
  if (e.triggers?.length) parts.push("Triggers: " + e.triggers.map((t) => TRIGGERS[t] || t).join(", "));
  return parts.join(" · ");
}

export function Diary({ personId }) {
  const [pages, setPages] = useState([]);
  const [next, setNext] = useState(null);
  const [waiting, setWaiting] = useState([]);
  const [first, error, reload] = useLoad(() => api("GET", `/api/people/${personId}/diary` + query({ limit: 30 })), [personId]);
  useEffect(() => { if (first) { setPages(first.items); setNext(first.next_before); } }, [first]);
  useEffect(() => {
    const load = () => outbox.all().then((items) => setWaiting(items.filter((i) => i.personId === personId && i.kind === "diary")));
    // An entry that leaves "Waiting to upload" joins the list.
    const sent = (e) => { if (e.detail.item.personId === personId && e.detail.item.kind === "diary") reload(); };
    load();
    outbox.events.addEventListener("change", load);
    outbox.events.addEventListener("sent", sent);
    return () => { outbox.events.removeEventListener("change", load); outbox.events.removeEventListener("sent", sent); };
  }, [personId]);
  const more = async () => {
    const r = await api("GET", `/api/people/${personId}/diary` + query({ limit: 30, before: next }));
    setPages([...pages, ...r.items]);
    setNext(r.next_before);
  };
  return html`<${Screen} title="Diary">
    <a class="button primary" href="#/diary/new" id="diary-new">New entry</a>
    ${waiting.length > 0 && html`<section aria-labelledby="wait-h"><h2 id="wait-h">Waiting to upload</h2>
      <ul class="plain">${waiting.map((i) => { const e = JSON.parse(i.body); return html`<li class="entry pending"><div class="when">${when(e.at || i.createdAt)}</div>${e.fall && html`<div class="fall">${FALLS[e.fall.kind]}</div>`}<div>${summary(e)}</div>${i.error && html`<div class="bad">Refused by the server: ${i.error}</div>`}</li>`; })}</ul></section>`}
    ${error && html`<${Problem} error=${error} />`}
    ${first && pages.length === 0 && html`<p>No entries yet. Write down how your legs feel: over weeks it shows what helps and what makes things worse.</p>`}
    <ul class="plain" id="diary-list">
      ${pages.map((e) => html`<li class="entry">
        <a href=${"#/diary/" + e.id}>
          <div class="when">${when(e.at)}${e.time_of_day ? ` · ${TIMES[e.time_of_day]}` : ""}</div>
          ${e.fall && html`<div class="fall">${FALLS[e.fall.kind]}${e.fall.injured ? " (injured)" : ""}${e.fall.circumstances ? `: ${e.fall.circumstances}` : ""}</div>`}
          <div>${summary(e)}</div>
          ${e.notes && html`<div class="muted">${e.notes}</div>`}
          <span class="sr">Edit this entry</span>
        </a>
      </li>`)}
    </ul>
    ${next && html`<button class="secondary" onClick=${more}>Show older entries</button>`}
  </${Screen}>`;
}

// The fields whose errors show next to their input, and their labels.
const FIELDS = { at: "When", sensation_other: "In my own words", "fall.circumstances": "What happened", notes: "Notes" };

const localInput = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

export function DiaryEdit({ personId, id }) {
  const isNew = id === "new";
  const [e, setE] = useState(isNew ? { at: localInput(new Date()), severity: null, fatigue: null, sensations: [], triggers: [], time_of_day: timeOfDay(), leg: "", sensation_other: "", notes: "", fall: null } : null);
  const [state, setState] = useState({});
  useEffect(() => {
    if (isNew) return;
    api("GET", `/api/people/${personId}/diary/${id}`).then(
      (d) => setE({ ...d, at: localInput(new Date(d.at)), sensations: d.sensations || [], triggers: d.triggers || [], severity: d.severity ?? null, fatigue: d.fatigue ?? null, leg: d.leg || "", time_of_day: d.time_of_day || "", sensation_other: d.sensation_other || "", notes: d.notes || "", fall: d.fall || null }),
      (error) => setState({ error }),
    );
  }, [id]);
  if (!e) return html`<${Screen} title="Diary entry" back="#/diary"><${Problem} error=${state.error} /><p>Loading…</p></${Screen}>`;
  const set = (k) => (v) => setE({ ...e, [k]: v });
  // An error the server gives for one field shows next to it too.
  const bad = (field) => state.error && state.error.field === field;
  const fieldError = (field, id) => bad(field) && html`<div class="field-error" id=${id + "-error"}>${state.error.message}</div>`;
  const invalid = (field, id) => bad(field) ? { "aria-invalid": "true", "aria-describedby": id + "-error" } : {};
  const problem = state.error && FIELDS[state.error.field] ? new Error(`${FIELDS[state.error.field]}: ${state.error.message}`) : state.error;
  const save = async (ev) => {
    ev.preventDefault();
    setState({ busy: true });
    const body = {
      at: new Date(e.at).toISOString(), sensations: e.sensations, triggers: e.triggers, leg: e.leg, time_of_day: e.time_of_day,
      sensation_other: e.sensation_other, notes: e.notes,
    };
    if (e.severity !== null) body.severity = e.severity;
    if (e.fatigue !== null) body.fatigue = e.fatigue;
    if (e.fall) body.fall = e.fall;
    try {
      const r = await saveDiary(personId, body, isNew ? null : id);
      setState({ saved: r.waiting ? `Kept on this phone: ${r.waiting}` : "Saved." });
    } catch (error) {
      setState({ error });
    }
  };
  const del = async () => {
    if (!confirm("Delete this diary entry?")) return;
    try {
      await api("DELETE", `/api/people/${personId}/diary/${id}`);
      go("#/diary");
    } catch (error) {
      setState({ error });
    }
  };
  if (state.saved) {
    return html`<${Screen} title=${isNew ? "New diary entry" : "Change diary entry"} back="#/diary">
      <${Note}>${state.saved}</${Note}>
      <a class="button primary" href="#/diary">Back to the diary</a>
    </${Screen}>`;
  }
  return html`<${Screen} title=${isNew ? "New diary entry" : "Change diary entry"} back="#/diary">
    <form onSubmit=${save}>
      <div class="field"><label for="d-at">When</label><input id="d-at" type="datetime-local" value=${e.at} onInput=${(x) => set("at")(x.target.value)} required ...${invalid("at", "d-at")} />${fieldError("at", "d-at")}</div>
      <${Scale} id="d-sev" label="Leg symptoms" value=${e.severity} onChange=${set("severity")} low="none" high="worst" />
      <${Chips} legend="My legs feel…" options=${SENSATIONS} value=${e.sensations} onChange=${set("sensations")} />
      <div class="field"><label for="d-other">In my own words (optional)</label><input id="d-other" value=${e.sensation_other} onInput=${(x) => set("sensation_other")(x.target.value)} ...${invalid("sensation_other", "d-other")} />${fieldError("sensation_other", "d-other")}</div>
      <${Choice} legend="Which leg" options=${LEGS} value=${e.leg} onChange=${set("leg")} />
      <${Choice} legend="Time of day" options=${TIMES} value=${e.time_of_day} onChange=${set("time_of_day")} />
      <${Chips} legend="Possible triggers" options=${TRIGGERS} value=${e.triggers} onChange=${set("triggers")} />
      <${Scale} id="d-fat" label="Fatigue" value=${e.fatigue} onChange=${set("fatigue")} low="none" high="worst" />
      <${Choice} legend="A fall or a near-fall?" options=${FALLS} value=${e.fall?.kind || ""} onChange=${(k) => set("fall")(k ? { circumstances: "", injured: false, ...e.fall, kind: k } : null)} />
      ${e.fall && html`<div class="field"><label for="d-circ">What happened?</label>
          <textarea id="d-circ" rows="3" onInput=${(x) => set("fall")({ ...e.fall, circumstances: x.target.value })} ...${invalid("fall.circumstances", "d-circ")}>${e.fall.circumstances}</textarea>${fieldError("fall.circumstances", "d-circ")}</div>
        <label class="check"><input type="checkbox" checked=${e.fall.injured} onChange=${(x) => set("fall")({ ...e.fall, injured: x.target.checked })} /> I was hurt</label>`}
      <div class="field"><label for="d-notes">Notes (optional)</label><textarea id="d-notes" rows="3" onInput=${(x) => set("notes")(x.target.value)} ...${invalid("notes", "d-notes")}>${e.notes}</textarea>${fieldError("notes", "d-notes")}</div>
      <${Problem} error=${problem} />
      ${state.saved && html`<${Note}>${state.saved}</${Note}>`}
      <button class="primary" type="submit" id="diary-save" disabled=${state.busy}>Save</button>
      ${!isNew && html`<button type="button" class="danger" onClick=${del}>Delete this entry</button>`}
    </form>
  </${Screen}>`;
}
