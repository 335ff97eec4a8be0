// Interventions ("treatments" to the person): physical therapy, home
// exercise, walking aids, steroid courses for relapses, medication changes.
// Their periods are shaded on the trend charts.
import { html, useState, Screen, Choice, Problem, useLoad } from "../ui.js";
import { api, newKey } from "../api.js";
import { KINDS, DEVICES, day, today } from "../format.js";

const empty = () => ({ kind: "", name: "", device: "", start_date: today(), end_date: "", notes: "" });
const dateOnly = (iso) => (iso ? iso.slice(0, 10) : "");

function Form({ personId, initial, onDone, onCancel }) {
  const [iv, setIv] = useState(initial);
  const [error, setError] = useState(null);
  // One key for this form: saving again after an answer was lost (an
  // error shown though the server stored it) does not add it twice.
  const [key] = useState(newKey);
  const set = (k) => (v) => setIv({ ...iv, [k]: v });
  const save = async (e) => {
    e.preventDefault();
    const body = { kind: iv.kind, name: iv.name || KINDS[iv.kind] || "", start_date: iv.start_date, notes: iv.notes };
    if (iv.kind === "assistive_device") body.device = iv.device;
    if (iv.end_date) body.end_date = iv.end_date;
    try {
      if (iv.id) await api("PUT", `/api/people/${personId}/interventions/${iv.id}`, { body });
      else await api("POST", `/api/people/${personId}/interventions`, { body, headers: { "Idempotency-Key": key } });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="card" onSubmit=${save}>
    <h2>${iv.id ? "Change" : "Start something new"}</h2>
    <${Choice} legend="What is it?" options=${KINDS} value=${iv.kind} onChange=${set("kind")} />
    ${iv.kind === "assistive_device" && html`<${Choice} legend="Which aid" options=${Object.fromEntries(Object.entries(DEVICES).filter(([k]) => k !== "none"))} value=${iv.device} onChange=${set("device")} />`}
    <div class="field"><label for="iv-name">Name or details</label>
      <input id="iv-name" value=${iv.name} placeholder=${iv.kind === "relapse_treatment" ? "e.g. Methylprednisolone 1 g, 3 days" : "e.g. Physio twice a week"} onInput=${(e) => set("name")(e.target.value)} /></div>
    <div class="field"><label for="iv-start">Started on</label><input id="iv-start" type="date" required value=${iv.start_date} onInput=${(e) => set("start_date")(e.target.value)} /></div>
    <div class="field"><label for="iv-end">Stopped on (leave empty if it goes on)</label><input id="iv-end" type="date" value=${iv.end_date} onInput=${(e) => set("end_date")(e.target.value)} /></div>
    <div class="field"><label for="iv-notes">Notes (optional)</label><textarea id="iv-notes" rows="2" onInput=${(e) => set("notes")(e.target.value)}>${iv.notes}</textarea></div>
    <${Problem} error=${error} />
    <button class="primary" type="submit" id="iv-save">Save</button>
    <button class="secondary" type="button" onClick=${onCancel}>Cancel</button>
  </form>`;
}

export function Treatments({ personId }) {
  const [list, error, reload] = useLoad(() => api("GET", `/api/people/${personId}/interventions`), [personId]);
  const [editing, setEditing] = useState(null);
  const [problem, setProblem] = useState(null);
  const stop = async (iv) => {
    try {
      await api("PUT", `/api/people/${personId}/interventions/${iv.id}`, {
        body: { kind: iv.kind, name: iv.name, device: iv.device || "", start_date: dateOnly(iv.start_date), end_date: today(), notes: iv.notes || "" },
      });
      reload();
    } catch (err) {
      setProblem(err);
    }
  };
  const del = async (iv) => {
    if (!confirm(`Delete “${iv.name}”?`)) return;
    try { await api("DELETE", `/api/people/${personId}/interventions/${iv.id}`); reload(); } catch (err) { setProblem(err); }
  };
  const done = () => { setEditing(null); reload(); };
  const items = (list?.items || []).slice().sort((a, b) => b.start_date.localeCompare(a.start_date));
  const current = items.filter((i) => !i.end_date || i.end_date.slice(0, 10) >= today());
  const past = items.filter((i) => !current.includes(i));
  const row = (iv) => html`<li class="entry">
    <div><strong>${iv.name}</strong></div>
    <div class="muted">${KINDS[iv.kind]}${iv.device ? ` · ${DEVICES[iv.device]}` : ""}</div>
    <div>${day(iv.start_date)} – ${iv.end_date ? day(iv.end_date) : "ongoing"}</div>
    ${iv.notes && html`<div class="muted">${iv.notes}</div>`}
    <div class="row">
      ${!iv.end_date && html`<button class="secondary small" onClick=${() => stop(iv)}>Stop today<span class="sr"> ${iv.name}</span></button>`}
      <button class="secondary small" onClick=${() => setEditing({ ...iv, device: iv.device || "", notes: iv.notes || "", start_date: dateOnly(iv.start_date), end_date: dateOnly(iv.end_date) })}>Change<span class="sr"> ${iv.name}</span></button>
      <button class="link small" onClick=${() => del(iv)}>Delete<span class="sr"> ${iv.name}</span></button>
    </div>
  </li>`;
  return html`<${Screen} title="Treatments" back="#/more">
    <p>Record what you do for your legs. Your trend charts show these periods, so you and your clinician can see what helps.</p>
    ${editing ? html`<${Form} personId=${personId} initial=${editing} onDone=${done} onCancel=${() => setEditing(null)} />`
      : html`<button class="primary" id="iv-new" onClick=${() => setEditing(empty())}>Start something new</button>`}
    <${Problem} error=${error || problem} />
    <h2>Now</h2>
    ${list && current.length === 0 && html`<p class="muted">Nothing at the moment.</p>`}
    <ul class="plain" id="iv-current">${current.map(row)}</ul>
    ${past.length > 0 && html`<h2>Before</h2><ul class="plain">${past.map(row)}</ul>`}
  </${Screen}>`;
}
