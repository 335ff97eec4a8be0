// More: links to sharing and treatments, the profile (height), what is
// waiting to upload, and signing out.
import { html, useState, useEffect, Screen, Field, Problem, Note } from "../ui.js";
import { api } from "../api.js";
import * as outbox from "../outbox.js";
import { when } from "../format.js";

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
        <button class="link small" onClick=${() => confirm("Delete this recording from the phone? It cannot be recovered.") && outbox.remove(i.id)}>Delete</button></div>`}
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
    <button class="secondary" id="signout" onClick=${out}>Sign out</button>
    <p class="muted small">legwork measures and informs; it does not diagnose. Talk to your clinician about any change that worries you.</p>
  </${Screen}>`;
}
