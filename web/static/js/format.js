// Names, units and words for metrics and tests, and how a result compares
// with the person's usual level.

// better: which direction is an improvement; more/less: the words for a
// higher and a lower value; scale converts the API's unit to the one shown.
export const METRICS = {
  t25fw_time_s: { label: "25-foot walk", unit: "s", dec: 1, better: "lower", more: "slower", less: "faster" },
  t25fw_trial1_time_s: { label: "First walk", unit: "s", dec: 1, better: "lower", more: "slower", less: "faster" },
  t25fw_trial2_time_s: { label: "Second walk", unit: "s", dec: 1, better: "lower", more: "slower", less: "faster" },
  t25fw_speed_mps: { label: "25-foot walk speed", unit: "m/s", dec: 2, better: "higher", more: "faster", less: "slower" },
  walking_speed_mps: { label: "Walking speed", unit: "m/s", dec: 2, better: "higher", more: "faster", less: "slower" },
  walk2min_steps: { label: "Steps in 2 minutes", unit: "steps", dec: 0, better: "higher", more: "more steps", less: "fewer steps" },
  walk2min_distance_m: { label: "Distance in 2 minutes (estimate)", unit: "m", dec: 0, better: "higher", more: "further", less: "shorter" },
  cadence_spm: { label: "Cadence", unit: "steps/min", dec: 0, better: "higher", more: "quicker", less: "slower" },
  sway_rms_ms2: { label: "Sway, eyes open", unit: "m/s²", dec: 3, better: "lower", more: "more sway", less: "less sway" },
  sway_ec_rms_ms2: { label: "Sway, eyes closed", unit: "m/s²", dec: 3, better: "lower", more: "more sway", less: "less sway" },
  sts5_time_s: { label: "Five sit-to-stands", unit: "s", dec: 1, better: "lower", more: "slower", less: "faster" },
  turn_speed_rps: { label: "Turn speed", unit: "°/s", dec: 0, scale: 180 / Math.PI, better: "higher", more: "faster", less: "slower" },
};

// The trend charts, in order: a metric within one test.
export const TRENDS = [
  { metric: "walking_speed_mps", test: "walk2min" },
  { metric: "t25fw_time_s", test: "t25fw" },
  { metric: "walk2min_steps", test: "walk2min" },
  { metric: "sway_rms_ms2", test: "balance" },
  { metric: "sway_ec_rms_ms2", test: "balance" },
  { metric: "sts5_time_s", test: "sts5" },
  { metric: "turn_speed_rps", test: "uturn" },
];

export const DEVICES = {
  none: "No walking aid", cane: "A cane", two_canes: "Two canes or crutches",
  walker: "A walker", afo: "An ankle-foot orthosis", wheelchair: "A wheelchair",
};

export const SENSATIONS = {
  weak: "Weak", jelly: "Jelly / noodles", buckling: "Buckling knees", heavy: "Heavy, like cement",
  stiff: "Stiff", numb: "Numb", pain: "Pain",
};

export const TRIGGERS = {
  heat: "Heat", cold: "Cold", night: "Night", stress: "Stress", poor_sleep: "Poor sleep",
  infection: "Infection or fever", overexertion: "Overdoing it",
};

export const KINDS = {
  physical_therapy: "Physical therapy", home_exercise: "Home exercise",
  assistive_device: "Cane, walker or other aid", relapse_treatment: "Steroid course (relapse treatment)",
  medication_change: "Medication change", other: "Other",
};

export const info = (metric) => METRICS[metric] || { label: metric.replaceAll("_", " "), unit: "", dec: 2 };

// show returns a metric's value in its display unit, as a number.
export const show = (metric, v) => v * (info(metric).scale || 1);

// fmt formats a value with its unit: "6.4 s".
export function fmt(metric, v) {
  const m = info(metric);
  const n = show(metric, v).toLocaleString(undefined, { minimumFractionDigits: m.dec, maximumFractionDigits: m.dec });
  // A no-break space keeps the number and its unit on one line.
  return m.unit === "steps" ? `${n}\u00a0steps` : m.unit ? `${n}\u00a0${m.unit}` : n;
}

export function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b), k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

// compare says how value differs from usual: "8 % slower than your usual".
export function compare(metric, value, usual) {
  if (!isFinite(usual) || usual === 0) return "";
  const m = info(metric);
  const pct = Math.round((100 * (value - usual)) / Math.abs(usual));
  if (pct === 0) return "the same as your usual";
  return `${Math.abs(pct)}\u00a0% ${pct > 0 ? m.more || "higher" : m.less || "lower"} than your usual`;
}

// worse reports whether a change from usual is in the worse direction.
export function worse(metric, value, usual) {
  const b = info(metric).better;
  return b === "lower" ? value > usual : b === "higher" ? value < usual : false;
}

export const day = (iso) => new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
// planSetBy says who last set a person's weekly plan, and when, to the
// signed-in account me: "Set by you on 12 Nov 2026", "Set by Dr Kim Lee
// (your clinician) on …" for the person, "Set by Kim on …" for their
// clinician. person is the person's account as the server gives it
// (weekly_plan_changed_at, and weekly_plan_changed_by with the name only
// when the reader may know it): the server names a clinician only to the
// person and to that clinician, so another clinician of the person reads
// "Set by another clinician on …", and the person, once that clinician's
// access was withdrawn, "Set by a clinician on …". "" when the server
// does not know when.
export function planSetBy(me, person) {
  const at = person && person.weekly_plan_changed_at;
  if (!at) return "";
  const by = person.weekly_plan_changed_by;
  const on = ` on ${day(at)}`;
  if (!by) return `Set${on}`;
  if (me && by.id && by.id === me.id) return `Set by you${on}`;
  if (by.role === "clinician") {
    if (by.name && me && me.id === person.id) return `Set by ${by.name} (your clinician)${on}`;
    return `Set by ${me && me.role === "clinician" ? "another" : "a"} clinician${on}`;
  }
  if (by.role === "person" && by.name && by.id === person.id) return `Set by ${by.name}${on}`;
  return `Set${on}`;
}

// changeFlags lists, from an insights report (GET …/insights), what a
// clinician should look at: every alert still in force, and every series
// whose last week (at least two test days, as an alert needs a second
// day) is really worse (beyond the person's noise) and beyond a threshold
// scaled from another test — the 2-minute walk's, which is only a rough
// guide and so raises no alert (docs/INSIGHTS.md §4), but a clinician
// should still see it.
export function changeFlags(rep) {
  if (!rep) return [];
  const alerts = (rep.ongoing_alerts || []).map((a) => a.alert?.clinician || a.alert?.message || `${info(a.metric).label}: worse than usual`);
  const rough = (rep.series || [])
    .filter((s) => s.change && s.change.class === "beyond_sdc_and_mcid" && s.change.direction === "worse" && s.change.mcid_source?.scaled && s.change.days >= 2)
    .map((s) => `Not an alert (its threshold is only a rough guide): ${s.change.clinician}`);
  return [...alerts, ...rough];
}

export const when = (iso) => new Date(iso).toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
export const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

// browserZone is this device's time zone (an IANA name such as
// Europe/Berlin), "" when the browser does not say.
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

// The account's time zone is filled in from the phone's only once: not
// after it was filled in, seen set or changed by hand on this phone (so a
// zone cleared in More stays cleared). zoneChosen marks that, zoneOnce
// tells whether it was.
const zoneKey = (id) => `legwork.zone-set.${id}`;
export const zoneChosen = (id) => localStorage.setItem(zoneKey(id), "1");
export const zoneOnce = (id) => localStorage.getItem(zoneKey(id)) === "1";

// zoneNames lists the time zones the browser knows, for suggestions ([]
// when it cannot list them).
export function zoneNames() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}
