// Trends: one chart per metric over time, with the person's usual range,
// their treatments and relapses, and tap-to-see details. Shared by the
// person and their clinicians (read only).
import { html, useState, useEffect, useRef, Screen, Problem, useLoad } from "../ui.js";
import { api, query, serverFeatures } from "../api.js";
import { TRENDS, DEVICES, KINDS, info, fmt, median, day, when, compare } from "../format.js";
import { draw, COLORS } from "../chart.js";

const DAY_MS = 86400000;

// usualBand is the person's baseline: the median ± the robust spread
// (1.4826 × the median absolute deviation) of the daily values in the
// first 4 weeks with the first walking aid (at least 3 days), as the
// insights endpoint computes it when the server has one.
export function usualBand(points) {
  if (!points.length) return null;
  const dev = points[0].assistive_device, t0 = Date.parse(points[0].at);
  const byDay = new Map();
  for (const p of points) {
    if (p.assistive_device !== dev || Date.parse(p.at) >= t0 + 28 * DAY_MS) continue;
    const k = p.at.slice(0, 10);
    byDay.set(k, [...(byDay.get(k) || []), p.value]);
  }
  const days = [...byDay.values()].map(median);
  if (days.length < 3) return null;
  const mid = median(days);
  const sd = 1.4826 * median(days.map((v) => Math.abs(v - mid)));
  return { lo: mid - sd, mid, hi: mid + sd, device: dev, from: "the first 4 weeks" };
}

function Chart({ metric, points, interventions, band }) {
  const el = useRef();
  const [sel, setSel] = useState(null);
  useEffect(() => {
    const c = draw(el.current, { metric, points, interventions, band, onSelect: setSel });
    return () => c.destroy();
  }, [points, interventions, band]);
  const m = info(metric);
  const last = points[points.length - 1];
  const active = (p) => interventions.filter((iv) => iv.start_date.slice(0, 10) <= p.at.slice(0, 10) && (!iv.end_date || iv.end_date.slice(0, 10) >= p.at.slice(0, 10)));
  const label = `${m.label}: ${points.length} results from ${day(points[0].at)} to ${day(last.at)}; latest ${fmt(metric, last.value)}` +
    (band ? `; your usual range ${fmt(metric, band.lo)} to ${fmt(metric, band.hi)}` : "");
  return html`<div>
    <div class="chart" ref=${el} role="img" aria-label=${label}></div>
    <div class="point" role="status" aria-live="polite">
      ${sel ? html`<strong>${when(sel.at)}: ${fmt(metric, sel.value)}</strong>
        <div>${DEVICES[sel.assistive_device] || sel.assistive_device}${band && sel.assistive_device === band.device ? ` · ${compare(metric, sel.value, band.mid)}` : ""}</div>
        ${active(sel).map((iv) => html`<div class="muted">During: ${iv.name} (${KINDS[iv.kind]})</div>`)}`
      : html`<span class="muted">Tap a point to see its details.</span>`}
    </div>
    <details><summary>Show as a table</summary>
      <table><thead><tr><th scope="col">Date</th><th scope="col">${m.label} (${m.unit})</th><th scope="col">Walking aid</th></tr></thead>
      <tbody>${points.slice().reverse().map((p) => html`<tr><td>${day(p.at)}</td><td>${fmt(metric, p.value)}</td><td>${DEVICES[p.assistive_device] || p.assistive_device}</td></tr>`)}</tbody></table>
    </details>
  </div>`;
}

// Legend shows the key of what the charts draw for this person.
function Legend({ data }) {
  const kinds = new Set(data.interventions.map((i) => i.kind));
  const aids = kinds.has("assistive_device") || data.series.some((s) => new Set(s.points.map((p) => p.assistive_device)).size > 1);
  const items = [
    [true, COLORS.band, "", "Your usual range"],
    [kinds.has("physical_therapy") || kinds.has("home_exercise"), COLORS.exercise, "", "Therapy or exercise"],
    [kinds.has("other"), COLORS.other, "", "Other treatment"],
    [kinds.has("relapse_treatment"), COLORS.relapse, "line", "Relapse treatment"],
    [aids, COLORS.aid, "line", "Walking aid change"],
    [kinds.has("medication_change"), COLORS.medication, "line", "Medication change"],
  ];
  return html`<ul class="legend" aria-label="Chart key">
    ${items.filter(([show]) => show).map(([, c, cls, label]) => html`<li><span class=${"swatch " + cls} style=${{ background: c }}></span>${label}</li>`)}
  </ul>`;
}

// loadTrends fetches everything the charts need (and insights, when the
// server has them).
export async function loadTrends(personId) {
  const [names, ivs, feats] = await Promise.all([
    api("GET", `/api/people/${personId}/metrics`),
    api("GET", `/api/people/${personId}/interventions`),
    serverFeatures(),
  ]);
  const have = new Set(names.items);
  const series = await Promise.all(TRENDS.filter((t) => have.has(t.metric)).map(async (t) => {
    const r = await api("GET", `/api/people/${personId}/metrics/${t.metric}` + query({ test_type: t.test }));
    return { ...t, points: r.items };
  }));
  let insights = null;
  if (feats.insights) insights = await api("GET", `/api/people/${personId}/insights`).catch(() => null);
  return { series: series.filter((s) => s.points.length > 0), interventions: ivs.items, insights, features: feats };
}

// bandFor prefers the insights baseline of the series with the first
// walking aid; otherwise it computes one. The result screen (run.js)
// compares a new result with the same band.
export function bandFor(s, insights) {
  const dev = s.points[0].assistive_device;
  const b = insights?.series?.find((x) => x.metric === s.metric && x.test_type === s.test && x.assistive_device === dev)?.baseline;
  if (b && isFinite(b.median) && isFinite(b.sd)) return { lo: b.median - b.sd, mid: b.median, hi: b.median + b.sd, device: dev, from: "insights" };
  return usualBand(s.points);
}

export function Trends({ personId, data }) {
  if (data.series.length === 0) {
    return html`<p>No results yet. Do a test and your trends appear here.</p>`;
  }
  return html`<div>
    <${Legend} data=${data} />
    ${data.series.map((s) => html`<section class="card chart-card" aria-labelledby=${"ch-" + s.metric}>
      <h2 id=${"ch-" + s.metric}>${info(s.metric).label} <span class="unit">(${info(s.metric).unit})</span></h2>
      <${Chart} metric=${s.metric} points=${s.points} interventions=${data.interventions} band=${bandFor(s, data.insights)} />
    </section>`)}
  </div>`;
}

export const ReportButton = ({ personId, features }) => features?.report
  ? html`<a class="button secondary" id="report" href=${`/api/people/${personId}/report` + query({ format: "pdf" })} download>Download clinician report (PDF)</a>`
  : null;

export function TrendsScreen({ personId }) {
  const [data, error] = useLoad(() => loadTrends(personId), [personId]);
  return html`<${Screen} title="Trends">
    <${Problem} error=${error} />
    ${data === undefined && html`<p>Loading…</p>`}
    ${data && html`<${ReportButton} personId=${personId} features=${data.features} /><${Trends} personId=${personId} data=${data} />`}
  </${Screen}>`;
}
