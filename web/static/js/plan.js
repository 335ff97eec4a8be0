// The weekly plan: how many times a week the person means to do each
// guided test. It is stored with the person's account on the server, where
// their clinicians see it and may change it. This phone keeps a copy
// (localStorage) so that Today works offline; a change made without a
// connection goes through the outbox, like a diary entry, and is sent when
// the connection returns.
import { api } from "./api.js";
import * as outbox from "./outbox.js";
import { TESTS } from "./protocols.js";

// The most tests of one type a week (the server's limit too).
export const MAX_PER_WEEK = 14;

const key = (id) => `legwork.plan.${id}`;
const changeKey = (id) => `legwork.plan-changed.${id}`;

// loadPlan returns this phone's copy of the person's plan, null when none.
export const loadPlan = (id) => JSON.parse(localStorage.getItem(key(id)) || "null");

function keepPlan(id, plan) {
  if (plan) localStorage.setItem(key(id), JSON.stringify(plan));
  else localStorage.removeItem(key(id));
}

// loadChange returns who last changed the plan and when, as this phone
// last knew it: {weekly_plan_changed_at, weekly_plan_changed_by} of the
// person's account (see planSetBy), {} when it does not know.
export const loadChange = (id) => JSON.parse(localStorage.getItem(changeKey(id)) || "{}");

function keepChange(id, account) {
  const { weekly_plan_changed_at, weekly_plan_changed_by } = account || {};
  localStorage.setItem(changeKey(id), JSON.stringify({ weekly_plan_changed_at, weekly_plan_changed_by }));
}

// forgetCopies removes this phone's copies of plans and of who changed
// them (which may name a clinician), at sign-out. A person whose plan
// change still waits in the outbox keeps both (the change copy then says
// the person themself): the change is sent when they sign in again, and
// Today shows it meanwhile; when the outbox cannot be read, the plans are
// kept and only who changed them is removed. Never throws.
export async function forgetCopies() {
  let items = null;
  try {
    items = await outbox.all();
  } catch {
    // what waits is not known: keep the plans
  }
  try {
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
    for (const k of keys) {
      const m = /^legwork\.plan(-changed)?\.(\d+)$/.exec(k || "");
      if (!m) continue;
      const id = Number(m[2]);
      const keep = items ? items.some((i) => i.personId === id && i.kind === "plan" && !i.error) : !m[1];
      if (!keep) localStorage.removeItem(k);
    }
  } catch {
    // storage not available: nothing to remove
  }
}

// fullPlan gives every guided test a count (0 for those a plan leaves
// out), keeping any other test the plan names.
export const fullPlan = (plan) => ({ ...Object.fromEntries(Object.keys(TESTS).map((k) => [k, 0])), ...plan });

// duePlan lists the guided tests planned at least once a week: [[test, n]].
export const duePlan = (plan) => Object.entries(plan || {}).filter(([k, n]) => TESTS[k] && n > 0);

const waiting = async (personId) => (await outbox.all()).some((i) => i.personId === personId && i.kind === "plan" && !i.error);

// syncPlan brings this phone's copy up to date and resolves to the plan to
// show. The server's plan wins, unless a change made here still waits to
// be sent; a plan kept only on this phone (from before plans were stored
// on the server) is sent. Offline, the copy is used as it is.
export async function syncPlan(personId) {
  if (await waiting(personId)) return loadPlan(personId);
  let me;
  try {
    me = await api("GET", "/api/me");
  } catch {
    return loadPlan(personId);
  }
  if (!me || me.id !== personId) return loadPlan(personId);
  if (me.weekly_plan) {
    keepPlan(personId, me.weekly_plan);
    keepChange(personId, me);
    return me.weekly_plan;
  }
  const local = loadPlan(personId);
  if (local) await savePlan(personId, local).catch(() => {});
  return local;
}

// savePlan sends the plan to the server and keeps it on this phone once
// the server has it or it waits in the outbox. It resolves like
// outbox.submit: {stored} or {waiting: why}; a plan the server refuses
// throws and is kept neither here nor in the outbox.
export async function savePlan(personId, plan) {
  const older = (await outbox.all()).filter((i) => i.personId === personId && i.kind === "plan").map((i) => i.id);
  const r = await outbox.submit({
    personId, kind: "plan", label: "Weekly plan", method: "PATCH", path: `/api/people/${personId}`,
    type: "application/json", body: JSON.stringify({ weekly_plan: plan }),
  });
  keepPlan(personId, plan);
  // Set by the person, now: as the server says once it has the plan.
  keepChange(personId, r.stored && r.stored.id === personId ? r.stored
    : { weekly_plan_changed_at: new Date().toISOString(), weekly_plan_changed_by: { id: personId, role: "person" } });
  // The new plan replaces any change still waiting.
  for (const id of older) await outbox.remove(id);
  return r;
}
