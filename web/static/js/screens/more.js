// More: links to sharing and treatments, the profile (height, time
// zone), what is waiting to upload, and signing out.
import { html, useState, useEffect, Screen, Field, Problem, Note } from "../ui.js";
import { api } from "../api.js";
import * as outbox from "../outbox.js";
import { when, browserZone, zoneNames, zoneChosen } from "../format.js";

// What an entry of the outbox is, for "Delete this … from the phone?".
const NOUNS = { assessment: "recording", diary: "diary entry", plan: "weekly plan change" };

function Waiting({ me }) {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const load = () => outbox.all().then((all) => setItems(all.filter((i) => i.personId === me.id)));
    load();
    outbox.events.addEventListener("change", load);
    return () => outbox.events.removeEventListener("change", load);
  }, [me.id]);
  if (!items.length) return null;
  return html`<section class="card" aria-labelledby="wait-h"><h2 id="wait-h">Waiting to upload</h2>
    <p>Kept on this phone until the server has them.</p>
    <ul class="plain">${items.map((i) => html`<li class="entry">
      <strong>${i.label}</strong> <span class="muted">${when(i.createdAt)}</span>
      ${i.error && html`<div class="bad">Refused by the server: ${i.error}</div>
        <div class="row"><button class="secondary small" onClick=${() => outbox.retry(i)}>Try again</button>
        <button class="link small" onClick=${() => confirm(`Delete this ${NOUNS[i.kind] || "entry"} from the phone? It cannot be recovered.`) && outbox.remove(i.id)}>Delete</button></div>`}
    </li>`)}</ul>
    <button class="secondary" onClick=${() => outbox.flush(me.id)}>Send now</button>
  </section>`;
}

function Profile({ me, setMe }) {
  const [height, setHeight] = useState(me.height_m ? String(Math.round(me.height_m * 100)) : "");
  const [state, setState] = useState({});
  const save = async (e) => {
    e.preventDefault();
    const cm = parseFloat(height.replace(",", "."));
    try {
      const u = await api("PATCH", "/api/me", { body: { height_m: cm > 3 ? cm / 100 : cm || 0 } });
      setMe(u);
      setState({ saved: true });
    } catch (error) {
      setState({ error });
    }
  };
  return html`<form class="card" onSubmit=${save}><h2>Your height</h2>
    <${Field} id="me-height" label="Height in cm" hint="Used to estimate stride length and walking speed." name="height_m" inputmode="decimal" value=${height} onInput=${(e) => setHeight(e.target.value)} error=${state.error} />
    ${state.error && !state.error.field && html`<${Problem} error=${state.error} />`}
    ${state.saved && html`<${Note}>Saved.</${Note}>`}
    <button class="secondary" type="submit">Save height</button></form>`;
}

// TimeZone shows the account's time zone (set from the phone once, when
// the account had none) and changes it: days, night-time tests and
// reports are counted in it.
function TimeZone({ me, setMe }) {
  const [tz, setTz] = useState(me.time_zone || "");
  const [state, setState] = useState({});
  const [names] = useState(zoneNames);
  const phone = browserZone();
  useEffect(() => setTz(me.time_zone || ""), [me.time_zone]);
  const save = async (value) => {
    setState({ busy: true });
    try {
      const u = await api("PATCH", "/api/me", { body: { time_zone: value.trim() } });
      zoneChosen(me.id); // chosen by hand: never filled in from the phone again
      setMe(u);
      setTz(u.time_zone || "");
      setState({ saved: true });
    } catch (error) {
      setState({ error });
    }
  };
  return html`<form class="card" onSubmit=${(e) => { e.preventDefault(); save(tz); }}><h2>Your time zone</h2>
    <p>${me.time_zone ? html`Now: <strong id="me-tz-now">${me.time_zone}</strong>` : "Not set: your days are counted in UTC."}</p>
    <${Field} id="me-tz" label="Time zone" hint="Your days, night-time tests and reports are counted in it, also when your clinician looks. A name such as Europe/Berlin." name="time_zone" list="tz-names" autocomplete="off" value=${tz} onInput=${(e) => setTz(e.target.value)} error=${state.error} />
    ${names.length > 0 && html`<datalist id="tz-names">${names.map((n) => html`<option value=${n} />`)}</datalist>`}
    ${state.error && state.error.field !== "time_zone" && html`<${Problem} error=${state.error} />`}
    ${state.saved && html`<${Note}>Saved.</${Note}>`}
    <div class="row">
      <button class="secondary" type="submit" disabled=${state.busy}>Save time zone</button>
      ${phone && phone !== me.time_zone && html`<button type="button" class="link" onClick=${() => save(phone)}>Use this phone’s (${phone})</button>`}
    </div></form>`;
}

export function More({ me, setMe, signOut }) {
  const [pending, setPending] = useState(0);
  useEffect(() => { outbox.all().then((all) => setPending(all.filter((i) => i.personId === me.id).length)); }, []);
  const out = () => {
    if (pending && !confirm(`${pending} recordings or entries have not been uploaded yet. They stay on this phone and are sent when you sign in again. Sign out?`)) return;
    signOut();
  };
  return html`<${Screen} title="More">
    <p>Signed in as <strong>${me.name}</strong> (${me.email}).</p>
    ${me.role === "person" && html`<nav class="menu" aria-label="More">
      <a class="button" href="#/sharing" id="to-sharing">Sharing with clinicians</a>
      <a class="button" href="#/treatments" id="to-treatments">Treatments</a>
    </nav>`}
    ${me.role === "person" && html`<${Waiting} me=${me} />`}
    ${me.role === "person" && html`<${Profile} me=${me} setMe=${setMe} />`}
    ${me.role === "person" && html`<${TimeZone} me=${me} setMe=${setMe} />`}
    <button class="secondary" id="signout" onClick=${out}>Sign out</button>
    <p class="muted small">legwork measures and informs; it does not diagnose. Talk to your clinician about any change that worries you.</p>
  </${Screen}>`;
}
