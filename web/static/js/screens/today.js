// Today: this week's planned tests and a quick symptom check-in.
import { html, useState, useEffect, useRef, Screen, Scale, Chips, Problem, Note, useLoad } from "../ui.js";
import { api, query, serverFeatures } from "../api.js";
import { SENSATIONS, TRIGGERS, planSetBy } from "../format.js";
import { TESTS } from "../protocols.js";
import { loadPlan, loadChange, savePlan, syncPlan, fullPlan, duePlan, MAX_PER_WEEK } from "../plan.js";
import { saveDiary, timeOfDay } from "./checkin.js";

function weekStart(d = new Date()) {
  const m = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  m.setDate(m.getDate() - ((m.getDay() + 6) % 7)); // Monday
  return m;
}

// PlanEditor sets how many times a week each guided test is planned. The
// person uses it on Today, their clinician on the person's page.
export function PlanEditor({ plan, onSave, onCancel, title = "My weekly plan", saveLabel = "Save my plan", busy, children }) {
  const [p, setP] = useState(fullPlan(plan));
  const set = (k, v) => setP({ ...p, [k]: Math.max(0, Math.min(MAX_PER_WEEK, v)) });
  return html`<section class="card" aria-labelledby="plan-h">
    <h2 id="plan-h">${title}</h2>
    ${children}
    ${Object.entries(TESTS).map(([k, t]) => html`<div class="stepper">
      <span id=${"plan-" + k}>${t.name}</span>
      <button type="button" class="round" aria-label=${`${t.name}: fewer`} onClick=${() => set(k, p[k] - 1)}>−</button>
      <output aria-labelledby=${"plan-" + k} aria-live="polite">${p[k]}×</output>
      <button type="button" class="round" aria-label=${`${t.name}: more`} onClick=${() => set(k, p[k] + 1)}>+</button>
    </div>`)}
    <button class="primary" disabled=${busy} onClick=${() => onSave(p)}>${saveLabel}</button>
    ${onCancel && html`<button type="button" class="link" onClick=${onCancel}>Cancel</button>`}
  </section>`;
}

function ThisWeek({ personId, me }) {
  const [plan, setPlan] = useState(loadPlan(personId));
  // Who set the plan, and when (this phone's copy, like the plan's).
  const [change, setChange] = useState(loadChange(personId));
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(null); // a note, or {error}
  const [synced, setSynced] = useState(false);
  // The server's plan (the clinician may have changed it), unless the
  // person changes the plan here first.
  const changed = useRef(false);
  useEffect(() => {
    let live = true;
    changed.current = false;
    syncPlan(personId)
      .then((p) => { if (live && !changed.current) { setPlan(p); setChange(loadChange(personId)); } }, () => {})
      .finally(() => live && setSynced(true));
    return () => { live = false; };
  }, [personId]);
  const [done, error] = useLoad(async () => {
    const r = await api("GET", `/api/people/${personId}/assessments` + query({ from: weekStart().toISOString(), limit: 200 }));
    const n = {};
    // A test that could not be scored (turned, too short…) is not done.
    for (const a of r.items) if (!(a.result && a.result.valid === false)) n[a.test_type] = (n[a.test_type] || 0) + 1;
    return n;
  }, [personId]);
  const save = async (p) => {
    const before = plan;
    changed.current = true;
    setPlan(p);
    setEditing(false);
    setSaved(null);
    try {
      const r = await savePlan(personId, p);
      setSaved(r.waiting ? `Plan kept on this phone: ${r.waiting}` : "Plan saved.");
    } catch (error) {
      // Refused: the plan stays as it was (this phone's copy is unchanged).
      setPlan(loadPlan(personId) || before);
      setSaved({ error });
    }
    setChange(loadChange(personId));
  };
  const note = saved && (saved.error ? html`<${Problem} error=${saved.error} />` : html`<${Note}>${saved}</${Note}>`);
  if (!plan && !editing && !synced) {
    // A new phone: no copy here yet, the server's plan is on its way.
    return html`<section class="card" aria-labelledby="week-h" aria-busy="true"><h2 id="week-h">This week</h2>
      <p id="plan-loading">Loading your weekly plan…</p></section>`;
  }
  if (editing || !plan) {
    if (!plan && !editing) {
      return html`<section class="card" aria-labelledby="week-h"><h2 id="week-h">This week</h2>
        ${note}
        <p>You have no weekly plan yet. Choose which tests to do and how often.</p>
        <button class="primary" onClick=${() => { setSaved(null); setEditing(true); }}>Set up my plan</button></section>`;
    }
    // Keyed on the plan: should the server's plan arrive while the editor
    // is open, the editor starts again from it rather than from the copy.
    return html`<${PlanEditor} key=${JSON.stringify(plan)} plan=${plan} onSave=${save} onCancel=${plan ? () => setEditing(false) : null}>
      <p class="hint">How many times a week you want to do each test. Your plan is saved with your account, so your
        clinician can see it and change it; this phone keeps a copy for when you are offline.</p>
    </${PlanEditor}>`;
  }
  const due = duePlan(plan);
  const setBy = planSetBy(me, { id: personId, name: me && me.name, ...change });
  return html`<section class="card" aria-labelledby="week-h">
    <h2 id="week-h">This week</h2>
    ${error && html`<p class="hint">${error.message}</p>`}
    ${due.length === 0 && html`<p>Your plan has no tests.</p>`}
    <ul class="plain">
      ${due.map(([k, n]) => {
        const d = done ? Math.min(done[k] || 0, n) : null;
        const left = d === null ? null : n - d;
        return html`<li class="due">
          <div><strong>${TESTS[k].name}</strong><br />
            <span class=${left === 0 ? "ok" : "muted"}>${d === null ? `${n}× this week` : left === 0 ? `Done ✓` : `${d} of ${n} done`}</span></div>
          ${left !== 0 && html`<a class="button small" href=${"#/run/" + k}>Start<span class="sr"> ${TESTS[k].name}</span></a>`}
        </li>`;
      })}
    </ul>
    ${setBy && html`<p class="muted small" id="plan-set-by">${setBy}</p>`}
    ${note}
    <button class="link" onClick=${() => { setSaved(null); setEditing(true); }}>Change my plan</button>
  </section>`;
}

function CheckIn({ personId }) {
  // Not set until the person chooses: an untouched scale is not "0, no
  // symptoms".
  const [severity, setSeverity] = useState(null);
  const [sensations, setSensations] = useState([]);
  const [triggers, setTriggers] = useState([]);
  const [state, setState] = useState({});
  const save = async () => {
    setState({ busy: true });
    try {
      const entry = { at: new Date().toISOString(), sensations, triggers, time_of_day: timeOfDay() };
      if (severity !== null) entry.severity = severity;
      const r = await saveDiary(personId, entry);
      setState({ saved: r.waiting ? `Check-in kept on this phone: ${r.waiting}` : "Check-in saved." });
      setSeverity(null);
      setSensations([]);
      setTriggers([]);
    } catch (error) {
      setState({ error });
    }
  };
  return html`<section class="card" aria-labelledby="checkin-h">
    <h2 id="checkin-h">How are your legs now?</h2>
    <${Scale} id="checkin-severity" label="Leg symptoms" value=${severity} onChange=${setSeverity} low="none" high="worst" />
    <${Chips} legend="They feel…" options=${SENSATIONS} value=${sensations} onChange=${setSensations} />
    <${Chips} legend="Possible triggers" options=${TRIGGERS} value=${triggers} onChange=${setTriggers} />
    <${Problem} error=${state.error} />
    ${state.saved && html`<${Note}>${state.saved}</${Note}>`}
    <button class="primary" id="checkin-save" onClick=${save} disabled=${state.busy}>Save check-in</button>
    <p class="center"><a href="#/diary/new">More detail: which leg, fatigue, falls…</a></p>
  </section>`;
}

// Alerts shows the person the worsening alerts in force (insights'
// ongoing alerts): each says what changed, with the numbers behind it, and
// to contact their clinician. Nothing when there is none, offline, or on a
// server without insights.
function Alerts({ personId }) {
  const [alerts] = useLoad(async () => {
    if (!(await serverFeatures()).insights) return [];
    const r = await api("GET", `/api/people/${personId}/insights`);
    const all = r.ongoing_alerts || [];
    // The 25-foot walk's speed is its time the other way up: with both
    // in force, the time (the clinical score) says it.
    const timed = new Set(all.filter((a) => a.metric === "t25fw_time_s").map((a) => a.assistive_device));
    return all.filter((a) => !(a.metric === "t25fw_speed_mps" && timed.has(a.assistive_device)));
  }, [personId]);
  if (!alerts || alerts.length === 0) return null;
  return html`<section class="problem" role="alert" aria-labelledby="alerts-h" id="alerts">
    <h2 id="alerts-h">${alerts.length === 1 ? "A meaningful change in your results" : "Meaningful changes in your results"}</h2>
    ${alerts.map((a) => html`<p>${a.alert.message}</p>`)}
  </section>`;
}

export function Today({ personId, me }) {
  return html`<${Screen} title=${`Hello, ${me.name}`}>
    <${Alerts} personId=${personId} />
    <${ThisWeek} personId=${personId} me=${me} />
    <${CheckIn} personId=${personId} />
  </${Screen}>`;
}
