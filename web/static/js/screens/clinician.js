// The clinician's view: the people who invited them, each one's latest
// results and flagged changes, and their trends (read only) — and the
// person's weekly plan of tests, which the clinician may change.
import { html, useState, Screen, Problem, Note, useLoad } from "../ui.js";
import { api, query, serverFeatures } from "../api.js";
import { TESTS } from "../protocols.js";
import { fmt, median, compare, worse, day, when, planSetBy, changeFlags, SENSATIONS } from "../format.js";
import { duePlan } from "../plan.js";
import { Trends, loadTrends, ReportButton } from "./trends.js";
import { PlanEditor } from "./today.js";

// flags lists worrying changes: the insights' ongoing alerts and real
// worsenings beyond a rough-guide threshold (changeFlags) when the server
// has them, otherwise the latest 25-foot walk time against the median of
// the earlier ones, beyond 20 % (the accepted threshold).
async function flags(personId) {
  const feats = await serverFeatures();
  if (feats.insights) {
    const rep = await api("GET", `/api/people/${personId}/insights`).catch(() => null);
    if (rep) return changeFlags(rep);
  }
  const r = await api("GET", `/api/people/${personId}/metrics/t25fw_time_s` + query({ test_type: "t25fw" }));
  const pts = r.items;
  if (pts.length < 2) return [];
  const last = pts[pts.length - 1];
  const usual = median(pts.filter((p) => p.assistive_device === last.assistive_device && p !== last).map((p) => p.value));
  if (isFinite(usual) && worse("t25fw_time_s", last.value, usual) && (last.value - usual) / usual > 0.2) {
    return [`25-foot walk on ${day(last.at)}: ${fmt("t25fw_time_s", last.value)} — ${compare("t25fw_time_s", last.value, usual).replace("your usual", "usual")}`];
  }
  return [];
}

export function People() {
  const [list, error] = useLoad(async () => {
    const r = await api("GET", "/api/people");
    return Promise.all(r.items.map(async (g) => ({ ...g, flags: await flags(g.person_id).catch(() => []) })));
  }, []);
  return html`<${Screen} title="People">
    <${Problem} error=${error} />
    ${list && list.length === 0 && html`<p>Nobody has shared their data with you yet. A person invites you from legwork’s Sharing screen; open the link they send you, or ask them for the code.</p>`}
    <ul class="plain" id="people">${(list || []).map((g) => html`<li class="card">
      <h2><a href=${"#/people/" + g.person_id}>${g.person_name}</a></h2>
      <div class="muted">Shared since ${day(g.granted_at)}</div>
      ${g.flags.length > 0 ? html`<div class="problem flag"><strong>Changed:</strong><ul>${g.flags.map((f) => html`<li>${f}</li>`)}</ul></div>` : html`<div class="ok">No flagged change</div>`}
    </li>`)}</ul>
  </${Screen}>`;
}

// WeeklyPlan shows the person's plan, who set it when, and their time
// zone, and lets the clinician change the plan (the person sees it on
// their Today screen).
function WeeklyPlan({ person, personId, me }) {
  const [plan, setPlan] = useState(person.weekly_plan || null);
  const [account, setAccount] = useState(person);
  const [state, setState] = useState({});
  const save = async (p) => {
    setState({ busy: true, editing: true });
    try {
      const u = await api("PATCH", `/api/people/${personId}`, { body: { weekly_plan: p } });
      setPlan(u.weekly_plan || p);
      setAccount(u);
      setState({ saved: true });
    } catch (error) {
      setState({ editing: true, error });
    }
  };
  const first = person.name.split(" ")[0];
  if (state.editing) {
    return html`<${PlanEditor} plan=${plan} onSave=${save} onCancel=${() => setState({})} busy=${state.busy}
      title=${`Weekly plan for ${person.name}`} saveLabel="Save the plan">
      <p class="hint">How many times a week ${first} should do each test. ${first} sees the plan on their Today screen and can change it.</p>
      <${Problem} error=${state.error} />
    </${PlanEditor}>`;
  }
  const due = duePlan(plan);
  const setBy = plan && planSetBy(me, account);
  return html`<section class="card" aria-labelledby="cplan-h"><h2 id="cplan-h">Weekly plan</h2>
    ${!plan ? html`<p class="muted">No plan yet.</p>` : due.length === 0 ? html`<p class="muted">The plan has no tests.</p>`
      : html`<ul class="plain" id="person-plan">${due.map(([k, n]) => html`<li>${TESTS[k].name}: ${n}× a week</li>`)}</ul>`}
    ${setBy && html`<p class="muted small" id="plan-set-by">${setBy}</p>`}
    <p class="muted small">Time zone: ${person.time_zone || "not set (days are counted in UTC)"}</p>
    ${state.saved && html`<${Note}>Plan saved.</${Note}>`}
    <button class="secondary" id="plan-edit" onClick=${() => setState({ editing: true })}>${plan ? "Change the plan" : "Set a plan"}</button>
  </section>`;
}

const primary = (a) => TESTS[a.test_type]?.primary.find((m) => a.metrics?.[m] !== undefined);

export function PersonView({ personId, me }) {
  const [data, error] = useLoad(async () => {
    const [person, latest, diary, trends, fl] = await Promise.all([
      api("GET", `/api/people/${personId}`),
      api("GET", `/api/people/${personId}/assessments` + query({ limit: 8 })),
      api("GET", `/api/people/${personId}/diary` + query({ limit: 5 })),
      loadTrends(personId),
      flags(personId).catch(() => []),
    ]);
    return { person, latest: latest.items, diary: diary.items, trends, flags: fl };
  }, [personId]);
  if (error) return html`<${Screen} title="Person" back="#/people"><${Problem} error=${error} /></${Screen}>`;
  if (!data) return html`<${Screen} title="Person" back="#/people"><p>Loading…</p></${Screen}>`;
  return html`<${Screen} title=${data.person.name} back="#/people">
    ${data.flags.length > 0 && html`<div class="problem flag" role="alert"><strong>Flagged changes</strong><ul>${data.flags.map((f) => html`<li>${f}</li>`)}</ul></div>`}
    <${ReportButton} personId=${personId} features=${data.trends.features} />
    <${WeeklyPlan} person=${data.person} personId=${personId} me=${me} />
    <section class="card" aria-labelledby="latest-h"><h2 id="latest-h">Latest results</h2>
      ${data.latest.length === 0 && html`<p class="muted">No tests yet.</p>`}
      <ul class="plain" id="latest">${data.latest.map((a) => {
        const m = primary(a);
        const r = a.result || {};
        return html`<li class="entry"><div class="when">${when(a.recorded_at)}</div>
          <strong>${TESTS[a.test_type]?.name || a.test_type}</strong>${m ? html`: ${fmt(m, a.metrics[m])}` : ""}
          ${r.valid === false && html`<div class="bad">Not scored: ${(r.problems || []).map((p) => p.message).join(" ")}</div>`}</li>`;
      })}</ul>
    </section>
    <section class="card" aria-labelledby="diary-h"><h2 id="diary-h">Recent diary</h2>
      ${data.diary.length === 0 && html`<p class="muted">No entries.</p>`}
      <ul class="plain">${data.diary.map((e) => html`<li class="entry"><div class="when">${when(e.at)}</div>
        ${e.severity !== undefined && html`Legs ${e.severity}/10 `}${(e.sensations || []).map((s) => SENSATIONS[s]).join(", ")}
        ${e.fall && html`<div class="bad">${e.fall.kind === "fall" ? "Fall" : "Near-fall"}${e.fall.circumstances ? `: ${e.fall.circumstances}` : ""}</div>`}</li>`)}</ul>
    </section>
    <h2>Trends</h2>
    <${Trends} personId=${personId} data=${data.trends} />
  </${Screen}>`;
}
