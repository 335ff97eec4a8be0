// One trend chart (uPlot): the metric over time, one series per walking
// aid (results are only comparable within one), the person's usual range
// as a band, intervention periods shaded, relapse treatments and walking
// aid changes marked. Tapping the chart selects the nearest result.
import uPlot from "../vendor/uPlot.esm.js";
import { show } from "./format.js";

const DAY = 86400;
export const COLORS = {
  exercise: "rgba(27, 120, 50, 0.16)", other: "rgba(90, 90, 90, 0.12)", band: "rgba(11, 79, 138, 0.13)",
  relapse: "#b3141a", aid: "#6a1b9a", medication: "#0b4f8a",
};
const SERIES = ["#0b4f8a", "#b35900", "#1b6e2e", "#6a1b9a", "#222222"];
const ts = (iso) => Date.parse(iso) / 1000;

// draw makes the chart in el and returns {destroy}. onSelect(point) is
// called when a point is tapped. Points: [{at, value, assistive_device,
// assessment_id}] oldest first; band: {lo, mid, hi} in API units or null.
export function draw(el, { metric, points, interventions, band, onSelect }) {
  const devices = [...new Set(points.map((p) => p.assistive_device))];
  const xs = points.map((p) => ts(p.at));
  const data = [xs, ...devices.map((d) => points.map((p) => (p.assistive_device === d ? show(metric, p.value) : null)))];
  const now = Date.now() / 1000;
  const lo = Math.min(...xs, ...interventions.map((i) => ts(i.start_date))) - 2 * DAY;
  const hi = Math.max(...xs) + 2 * DAY;
  const aidChanges = [];
  for (let i = 1; i < points.length; i++) if (points[i].assistive_device !== points[i - 1].assistive_device) aidChanges.push(xs[i]);

  const shade = (u) => {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    const X = (v) => u.valToPos(v, "x", true);
    const line = (x, color, dash) => {
      ctx.strokeStyle = color; ctx.lineWidth = 3 * devicePixelRatio; ctx.setLineDash(dash.map((d) => d * devicePixelRatio));
      ctx.beginPath(); ctx.moveTo(X(x), top); ctx.lineTo(X(x), top + height); ctx.stroke();
    };
    if (band) {
      const y1 = u.valToPos(show(metric, band.hi), "y", true), y2 = u.valToPos(show(metric, band.lo), "y", true);
      ctx.fillStyle = COLORS.band;
      ctx.fillRect(left, Math.min(y1, y2), width, Math.abs(y2 - y1));
    }
    for (const iv of interventions) {
      const s = ts(iv.start_date), e = iv.end_date ? ts(iv.end_date) + DAY : now;
      if (iv.kind === "physical_therapy" || iv.kind === "home_exercise" || iv.kind === "other") {
        ctx.fillStyle = iv.kind === "other" ? COLORS.other : COLORS.exercise;
        ctx.fillRect(X(s), top, X(e) - X(s), height);
      } else if (iv.kind === "relapse_treatment") {
        line(s, COLORS.relapse, []);
      } else if (iv.kind === "assistive_device") {
        line(s, COLORS.aid, [6, 4]);
      } else if (iv.kind === "medication_change") {
        line(s, COLORS.medication, [2, 4]);
      }
    }
    for (const x of aidChanges) line(x, COLORS.aid, [6, 4]);
    ctx.restore();
  };

  // The y range holds the points and the usual range, with a margin.
  const ys = points.map((p) => show(metric, p.value));
  let ymin = Math.min(...ys), ymax = Math.max(...ys);
  if (band) {
    ymin = Math.min(ymin, show(metric, band.lo));
    ymax = Math.max(ymax, show(metric, band.hi));
  }
  const pad = (ymax - ymin) * 0.15 || Math.abs(ymax) * 0.1 || 1;
  const yrange = [ymin >= 0 ? Math.max(0, ymin - pad) : ymin - pad, ymax + pad];

  const font = "15px system-ui, sans-serif";
  const opts = {
    width: el.clientWidth || 340,
    height: 220,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 14 } },
    scales: { x: { time: true, range: [lo, hi] }, y: { range: yrange } },
    axes: [
      { font, stroke: "#222", grid: { stroke: "#e3e3e3" }, ticks: { stroke: "#bbb" } },
      { font, stroke: "#222", grid: { stroke: "#e3e3e3" }, ticks: { stroke: "#bbb" }, size: 56 },
    ],
    series: [{}, ...devices.map((d, i) => ({
      label: d, stroke: SERIES[i % SERIES.length], width: 2.5, spanGaps: true,
      points: { show: true, size: 9, fill: SERIES[i % SERIES.length] },
    }))],
    hooks: { drawClear: [shade] },
  };
  const u = new uPlot(opts, data, el);
  const tap = (ev) => {
    const r = u.over.getBoundingClientRect();
    const x = ev.clientX - r.left;
    let best = -1, bestD = Infinity;
    xs.forEach((v, i) => {
      const d = Math.abs(u.valToPos(v, "x") - x);
      if (d < bestD) { bestD = d; best = i; }
    });
    if (best >= 0 && bestD < 40) onSelect(points[best]);
  };
  u.over.addEventListener("click", tap);
  const resize = () => u.setSize({ width: el.clientWidth, height: 220 });
  window.addEventListener("resize", resize);
  return { destroy: () => { window.removeEventListener("resize", resize); u.destroy(); } };
}
