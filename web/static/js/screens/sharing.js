// Sharing: invite a clinician (a code and a link), see who has access,
// withdraw it, cancel unused invitations.
import { html, useState, Screen, Field, Problem, Note, useLoad } from "../ui.js";
import { api } from "../api.js";
import { day } from "../format.js";

export function Sharing({ personId }) {
  const [grants, gErr, reloadGrants] = useLoad(() => api("GET", `/api/people/${personId}/grants`), [personId]);
  const [invs, iErr, reloadInvs] = useLoad(() => api("GET", `/api/people/${personId}/invitations`), [personId]);
  const [note, setNote] = useState("");
  const [created, setCreated] = useState(null);
  const [error, setError] = useState(null);
  const [copied, setCopied] = useState("");
  const invite = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api("POST", `/api/people/${personId}/invitations`, { body: { note } });
      setCreated({ ...r, url: location.origin + r.link });
      setNote("");
      reloadInvs();
    } catch (err) {
      setError(err);
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.url);
      setCopied("Link copied.");
    } catch {
      setCopied("Could not copy: select the link and copy it yourself.");
    }
  };
  const share = () => navigator.share({ title: "legwork invitation", text: `My legwork invitation code: ${created.code}`, url: created.url }).catch(() => {});
  const revoke = async (g) => {
    if (!confirm(`Stop sharing your data with ${g.clinician_name}?`)) return;
    try { await api("DELETE", `/api/people/${personId}/grants/${g.clinician_id}`); reloadGrants(); } catch (err) { setError(err); }
  };
  const cancel = async (inv) => {
    try { await api("DELETE", `/api/people/${personId}/invitations/${inv.id}`); reloadInvs(); } catch (err) { setError(err); }
  };
  const active = (grants?.items || []).filter((g) => !g.revoked_at);
  const former = (grants?.items || []).filter((g) => g.revoked_at);
  const open = (invs?.items || []).filter((i) => !i.accepted_at && Date.parse(i.expires_at) > Date.now());
  return html`<${Screen} title="Sharing" back="#/more">
    <section class="card" aria-labelledby="inv-h">
      <h2 id="inv-h">Invite a clinician</h2>
      <p>Your clinician can see your results, diary and treatments, and can change your weekly plan of tests. You can withdraw it at any time.</p>
      <form onSubmit=${invite}>
        <${Field} id="inv-note" label="Who is it for? (a note for you)" name="note" value=${note} onInput=${(e) => setNote(e.target.value)} error=${error} />
        <button class="primary" type="submit" id="inv-create">Create an invitation</button>
      </form>
      ${created && html`<div class="invite" role="status" aria-live="polite">
        <p>Give this code to your clinician. It works once, within 14 days.</p>
        <p class="code" id="inv-code">${created.code}</p>
        <p>Or send them this link (they sign in with their clinician account):</p>
        <p class="link-box"><a id="inv-link" href=${created.url}>${created.url}</a></p>
        <button class="secondary" onClick=${copy}>Copy the link</button>
        ${navigator.share && html`<button class="secondary" onClick=${share}>Share…</button>`}
        ${copied && html`<${Note}>${copied}</${Note}>`}
      </div>`}
    </section>
    <${Problem} error=${(error && !error.field && error) || gErr || iErr} />
    <section aria-labelledby="access-h">
      <h2 id="access-h">Who can see your data</h2>
      ${grants && active.length === 0 && html`<p class="muted">Nobody but you.</p>`}
      <ul class="plain" id="grants">${active.map((g) => html`<li class="entry">
        <strong>${g.clinician_name}</strong> <span class="muted">${g.clinician_email}</span>
        <div>Since ${day(g.granted_at)}</div>
        <button class="danger small" onClick=${() => revoke(g)}>Withdraw access<span class="sr"> from ${g.clinician_name}</span></button>
      </li>`)}</ul>
      ${former.length > 0 && html`<h3>Access withdrawn</h3><ul class="plain">${former.map((g) => html`<li>${g.clinician_name}: until ${day(g.revoked_at)}</li>`)}</ul>`}
    </section>
    ${open.length > 0 && html`<section aria-labelledby="open-h"><h2 id="open-h">Invitations not used yet</h2>
      <ul class="plain">${open.map((i) => html`<li class="entry">${i.note || "Invitation"} <span class="muted">· until ${day(i.expires_at)}</span>
        <button class="link small" onClick=${() => cancel(i)}>Cancel<span class="sr"> this invitation</span></button></li>`)}</ul></section>`}
  </${Screen}>`;
}
