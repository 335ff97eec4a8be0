// The test list and running a test: placement, permission, countdown,
// recording with spoken cues, upload through the outbox, and the result.
import { html, useState, useEffect, useRef, Screen, Problem, Note, Choice } from "../ui.js";
import { api, query, serverFeatures } from "../api.js";
import { bandFor } from "./trends.js";
import * as outbox from "../outbox.js";
import { encode } from "../lwb1.js";
import { Recorder, support, askPermission, say, keepAwake } from "../motion.js";
import { TESTS } from "../protocols.js";
import { DEVICES, fmt, compare, median, info, worse, when } from "../format.js";

export function Tests() {
  return html`<${Screen} title="Tests">
    <p>Each test takes a few minutes. Your phone goes in a waistband or belt at the small of your back; it tells you what to do.</p>
    <ul class="plain">
      ${Object.entries(TESTS).map(([k, t]) => html`<li class="card">
        <h2>${t.name}</h2><p>${t.about}</p>
        <a class="button primary" href=${"#/run/" + k}>Start<span class="sr"> ${t.name}</span></a>
      </li>`)}
    </ul>
  </${Screen}>`;
}

// Placement is a picture of the phone in a waistband at the small of the
// back, screen facing out.
export const Placement = () => html`<figure class="placement">
  <svg viewBox="0 0 200 230" role="img" aria-labelledby="placement-t placement-d" width="200" height="230">
    <title id="placement-t">Where the phone goes</title>
    <desc id="placement-d">A person seen from behind. The phone is upright in the waistband at the middle of the lower back, with its screen facing out, away from the body.</desc>
    <circle cx="100" cy="30" r="22" fill="#5a6b7b" />
    <path d="M62 62 Q100 50 138 62 L146 150 L54 150 Z" fill="#8fa3b5" />
    <path d="M60 62 L36 132 L48 136 L70 80 Z M140 62 L164 132 L152 136 L130 80 Z" fill="#8fa3b5" />
    <rect x="54" y="142" width="92" height="14" fill="#1f2f3f" />
    <path d="M56 156 L96 156 L92 226 L64 226 Z M104 156 L144 156 L136 226 L108 226 Z" fill="#3f5366" />
    <rect x="84" y="118" width="32" height="52" rx="5" fill="#111" stroke="#ffbf47" stroke-width="4" />
    <rect x="89" y="124" width="22" height="38" rx="2" fill="#4da3ff" />
  </svg>
  <figcaption>Phone upright in your waistband or belt, in the middle of your lower back, <strong>screen facing out</strong>.</figcaption>
</figure>`;

const DELAY_KEY = "legwork.placeDelay", DEVICE_KEY = "legwork.device";
const delays = { 5: "5 s", 10: "10 s", 15: "15 s", 30: "30 s" };
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(t); reject(new DOMException("cancelled", "AbortError")); }, { once: true });
});

function SecureWarning() {
  const s = support();
  if (!s.secure) {
    return html`<${Problem}>
      <strong>Motion sensors are blocked on this connection.</strong> Phones only give motion data to pages opened over HTTPS.
      This page was opened as <code>${location.origin}</code>. Whoever runs legwork can fix it by serving it over HTTPS —
      <code>legwork serve --tls-cert … --tls-key …</code> or a reverse proxy, as docs/SERVER.md explains — and you then open the <code>https://</code> address.
    </${Problem}>`;
  }
  if (!s.motion) return html`<${Problem}>This browser gives no motion sensor data. Use the browser that came with your phone (Safari on iPhone, Chrome on Android).</${Problem}>`;
  return null;
}

export function Run({ personId, test }) {
  const t = TESTS[test];
  const [stage, setStage] = useState("intro");
  const [cue, setCue] = useState("");
  const [count, setCount] = useState(0);
  // The screen could not be kept on (no wake lock in this browser, or
  // refused): the phone may lock during the test and stop the recording.
  const [noLock, setNoLock] = useState(false);
  const [device, setDevice] = useState(localStorage.getItem(DEVICE_KEY) || "none");
  const [delay, setDelay] = useState(localStorage.getItem(DELAY_KEY) || "15");
  const [outcome, setOutcome] = useState(null);
  const [error, setError] = useState(null);
  const abort = useRef(null);
  const rec = useRef(null);
  useEffect(() => () => abort.current?.abort(), []);
  if (!t) return html`<${Screen} title="No such test" back="#/tests"><p>Choose a test from the list.</p></${Screen}>`;

  const start = async () => {
    say(`Starting the ${t.name}.`); // inside the tap: lets iOS speak later
    localStorage.setItem(DEVICE_KEY, device);
    localStorage.setItem(DELAY_KEY, delay);
    const perm = await askPermission();
    if (perm === "denied") return setStage("denied");
    const ctl = new AbortController();
    abort.current = ctl;
    const signal = ctl.signal;
    const r = new Recorder();
    rec.current = r;
    r.listen();
    const lock = keepAwake();
    const segments = [];
    const c = {
      cue: async (text, vib) => { setCue(text); say(text, vib); },
      wait: (ms) => sleep(ms, signal),
      until: async (ok, ms) => {
        const end = performance.now() + ms;
        while (!ok() && performance.now() < end) await sleep(100, signal);
      },
      moving: (ms) => c.until(() => r.movingFor() >= 0.5, ms),
      still: (s, ms) => c.until(() => r.stillFor() >= s, ms),
      now: () => r.now(),
      segment: (name, s, e) => segments.push({ name, start_s: +s.toFixed(3), end_s: +e.toFixed(3) }),
    };
    try {
      setStage("place");
      const n = +delay;
      c.cue(`Put the phone in your waistband at the small of your back, screen facing out. The test starts in ${n} seconds.`);
      setNoLock(false);
      for (let left = n; left > 0; left--) {
        setCount(left);
        if (left === n - 1) setNoLock(!lock.held());
        if (left === n - 2 && r.events === 0) throw new Error("nosensor");
        if (left === 3 && n > 5) say("3, 2, 1");
        await sleep(1000, signal);
      }
      if (r.events === 0) throw new Error("nosensor");
      const recordedAt = new Date();
      r.start();
      setStage("test");
      await t.script(c);
      r.stop();
      lock.release();
      if (r.t.length < 2) throw new Error("No motion data was recorded. Keep this page open and the screen on during the test.");
      setStage("saving");
      const q = query({
        test_type: test, placement: "lower_back", assistive_device: device, phone_frame: "true",
        segments: JSON.stringify(segments), recorded_at: recordedAt.toISOString(),
      });
      const qid = await outbox.add({
        personId, kind: "assessment", label: t.name, method: "POST",
        path: `/api/people/${personId}/assessments${q}`, type: "application/vnd.legwork.lwb1", body: encode(r.data()),
      });
      setOutcome({ qid, gaps: r.gaps > 0 || r.hidden, samples: r.t.length });
      setStage("sent");
    } catch (err) {
      r.stop();
      lock.release();
      if (err.name === "AbortError") return;
      if (err.message === "nosensor") return setStage("nosensor");
      setError(err);
      setStage("error");
    }
  };

  const cancel = () => {
    abort.current?.abort();
    rec.current?.stop();
    say("Test cancelled.");
    setStage("intro");
    setCue("");
  };

  if (stage === "place" || stage === "test") {
    return html`<main class="screen running" id="main">
      <h1 class="sr">${t.name}: ${stage === "place" ? "get ready" : "under way"}</h1>
      ${stage === "place" && html`<p class="count" aria-hidden="true">${count}</p>`}
      <p class="cue" aria-live="assertive" id="cue">${cue}</p>
      ${stage === "test" && html`<p class="muted" id="recording">Recording…</p>`}
      ${noLock && html`<p class="note" id="no-wake-lock">This browser cannot keep the screen on: if the phone locks during the test, the recording stops. Cancel, and set the screen to stay on for longer (on an iPhone: Settings › Display & Brightness › Auto-Lock), then start again.</p>`}
      <button class="danger big" id="cancel" onClick=${cancel}>Cancel test</button>
    </main>`;
  }
  if (stage === "sent") return html`<${Screen} title=${t.name + ": result"}><${Result} personId=${personId} test=${test} outcome=${outcome} again=${() => setStage("intro")} /></${Screen}>`;

  return html`<${Screen} title=${t.name} back="#/tests">
    ${stage === "denied" && html`<${Problem}>
      <strong>Motion access was refused.</strong> legwork needs it to measure the test. On iPhone: close this tab, open the page again, tap Start and choose “Allow”.
      If you are not asked again: Settings › Safari › Advanced › Website Data, remove this site, and reload. The recording stays on your phone until it is sent to your own legwork server.
    </${Problem}>`}
    ${stage === "nosensor" && html`<${Problem}>
      <strong>No motion data arrived.</strong> This device or browser does not share its motion sensors. Use your phone’s own browser (Safari on iPhone, Chrome on Android), over HTTPS.
    </${Problem}>`}
    ${stage === "error" && html`<${Problem} error=${error} />`}
    <${SecureWarning} />
    <p>${t.about}</p>
    <${Placement} />
    <h2>You need</h2><p>${t.needs}</p>
    <h2>What to do</h2>
    <ol class="steps">${t.steps.map((s) => html`<li>${s}</li>`)}</ol>
    <p>The phone speaks and vibrates to guide you: you do not need to look at it. Turn the sound up.</p>
    <${Choice} legend="Walking aid for this test" options=${Object.fromEntries(Object.entries(DEVICES).filter(([k]) => k !== "wheelchair"))} value=${device} onChange=${(v) => setDevice(v || "none")} />
    <${Choice} legend="Time to put the phone in place" options=${delays} value=${delay} onChange=${(v) => setDelay(v || "15")} />
    <button class="primary big" id="start" onClick=${start} disabled=${!support().secure || !support().motion}>Start</button>
  </${Screen}>`;
}

// Result waits for the queued upload, then shows the clinical numbers in
// words, compared with the person's usual level, and any problem the
// analysis found.
function Result({ personId, test, outcome, again }) {
  const [a, setA] = useState(null);
  const [failed, setFailed] = useState(null);
  // Why the recording still waits, when the sending stopped (not signed
  // in, the server busy or failing, no connection).
  const [held, setHeld] = useState(null);
  useEffect(() => {
    const on = (e) => { if (e.detail.id === outcome.qid) setA(e.detail.result); };
    const change = async () => {
      const left = (await outbox.all()).find((i) => i.id === outcome.qid);
      if (left && left.error) setFailed(left.error);
    };
    outbox.events.addEventListener("sent", on);
    outbox.events.addEventListener("change", change);
    outbox.flush(personId).then((stop) => stop && setHeld(outbox.why(stop)), () => {});
    return () => { outbox.events.removeEventListener("sent", on); outbox.events.removeEventListener("change", change); };
  }, [outcome.qid]);
  if (failed) return html`<${Problem}><strong>The server did not accept this recording:</strong> ${failed}. It is kept on this phone (More › Waiting to upload).</${Problem}>`;
  if (!a) {
    return html`<div role="status" aria-live="polite" id="result-waiting">
      <p class="lead">Recording saved on this phone (${outcome.samples} samples).</p>
      ${held
        ? html`<p>It is kept on this phone: ${held}</p>`
        : html`<p>Sending it for analysis… If you are offline, it will be sent automatically when the connection is back; you can close the app.</p>`}
    </div>`;
  }
  const r = a.result || {};
  const problems = r.problems || [];
  return html`<div aria-live="polite" id="result">
    ${!r.valid && html`<div class="problem" role="alert">
      <h2>This test could not be scored</h2>
      <ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul>
      <button class="primary" onClick=${again}>Try again</button>
    </div>`}
    ${r.valid && problems.length > 0 && html`<div class="note"><ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`}
    ${outcome.gaps && html`<div class="note">The recording has gaps: the screen may have locked or the app was in the background. Keep the app open and the screen on next time.</div>`}
    <p class="muted">${when(a.recorded_at)} · ${DEVICES[a.assistive_device] || a.assistive_device}</p>
    <ul class="plain results">
      ${TESTS[test].primary.filter((m) => a.metrics[m] !== undefined).map((m) => html`<${Line} personId=${personId} a=${a} metric=${m} />`)}
    </ul>
    ${details(a).length > 0 && html`<ul class="details">${details(a).map((d) => html`<li>${d}</li>`)}</ul>`}
    ${test === "t25fw" && html`<p class="muted">Results change from day to day. A 25-foot walk 20\u00a0% slower than usual is a change clinicians take seriously: if your results stay that much worse, talk to your clinician.</p>`}
    <a class="button primary" href="#/trends">See your trends</a>
    <a class="button" href="#/today">Back to today</a>
  </div>`;
}

// details are the secondary numbers of a result, in words.
function details(a) {
  const m = a.metrics, out = [];
  const s = (k) => fmt(k, m[k]);
  if (m.t25fw_trial1_time_s !== undefined && m.t25fw_trial2_time_s !== undefined) out.push(`First walk ${s("t25fw_trial1_time_s")}, second walk ${s("t25fw_trial2_time_s")}`);
  if (m.cadence_spm !== undefined) out.push(`Cadence ${s("cadence_spm")}`);
  if (m.walk2min_distance_m !== undefined) out.push(`Distance, estimated: ${s("walk2min_distance_m")}`);
  if (m.cadence_decline_pct !== undefined) out.push(`Cadence in the last 30 s: ${Math.abs(m.cadence_decline_pct).toFixed(0)}\u00a0% ${m.cadence_decline_pct >= 0 ? "slower" : "quicker"} than in the first 30 s`);
  if (m.turns !== undefined && a.test_type === "uturn") out.push(m.turns === 1 ? "1 turn" : `${m.turns} turns`);
  if (m.romberg_ratio !== undefined) out.push(`Sway with eyes closed is ${m.romberg_ratio.toFixed(1)} times the sway with eyes open`);
  if (m.sts_repetitions !== undefined) out.push(`${m.sts_repetitions} repetitions found`);
  return out;
}

// insightsFor fetches the person's insights once per result shown (every
// line of the result uses the same report), or null without the endpoint.
const insightsFor = (() => {
  let key, report;
  return (personId, a) => {
    const k = `${personId}:${a.id}`;
    if (k !== key) {
      key = k;
      report = serverFeatures().then((f) => f.insights ? api("GET", `/api/people/${personId}/insights`).catch(() => null) : null);
    }
    return report;
  };
})();

// usualFor is the level a result is compared with: where the Trends screen
// compares this walk with a usual level, the same one (bandFor: the
// person's baseline for the metric and test with the series' first walking
// aid — the insights baseline, else the first 4 weeks' daily median), so
// that one walk is described by the same number on both screens; otherwise
// (another walking aid, or before there is a baseline) the median of the
// earlier results with the same walking aid, NaN when there are none.
export async function usualFor(personId, a, metric, insights) {
  const r = await api("GET", `/api/people/${personId}/metrics/${metric}` + query({ test_type: a.test_type }));
  if (r.items.length > 0) {
    const band = bandFor({ metric, test: a.test_type, points: r.items }, insights);
    if (band && band.device === a.assistive_device) return band.mid;
  }
  return median(r.items.filter((p) => p.assistive_device === a.assistive_device && p.assessment_id !== a.id && p.at < a.recorded_at).map((p) => p.value));
}

function Line({ personId, a, metric }) {
  const [usual, setUsual] = useState(undefined);
  useEffect(() => {
    insightsFor(personId, a).then((ins) => usualFor(personId, a, metric, ins)).then(setUsual, () => setUsual(NaN));
  }, [a.id]);
  const v = a.metrics[metric];
  const cmp = usual === undefined ? "" : isFinite(usual) ? compare(metric, v, usual) : "your first result: it starts your usual level";
  const bad = isFinite(usual) && worse(metric, v, usual) && Math.abs(v - usual) / usual >= 0.2;
  return html`<li class=${"result-line" + (bad ? " worse" : "")}>
    <strong>${info(metric).label}: ${fmt(metric, v)}</strong>${cmp && html` — ${cmp}`}
  </li>`;
}
