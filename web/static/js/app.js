// legwork's web app: the shell (session, routing, header, navigation)
// and the screens in ./screens/. Routes live in the URL fragment
// (#/today), so the server only ever serves "/".
import { html, render, useState, useEffect } from "../vendor/htm-preact.mjs";
import { api, ApiError, Offline } from "./api.js";
import * as outbox from "./outbox.js";
import { go } from "./nav.js";
import { SignIn, SignUp, AcceptInvite } from "./screens/auth.js";
import { Today } from "./screens/today.js";
import { Tests, Run } from "./screens/run.js";
import { Diary, DiaryEdit } from "./screens/diary.js";
import { Treatments } from "./screens/treatments.js";
import { TrendsScreen } from "./screens/trends.js";
import { Sharing } from "./screens/sharing.js";
import { People, PersonView } from "./screens/clinician.js";
import { More } from "./screens/more.js";
import { browserZone, zoneChosen, zoneOnce } from "./format.js";
import { forgetCopies } from "./plan.js";

const ME = "legwork.me";

function parseRoute() {
  const h = location.hash.replace(/^#/, "");
  const invite = h.match(/(?:^|&)invite=([^&]+)/);
  if (invite) return { name: "invite", code: decodeURIComponent(invite[1]) };
  const [name = "", ...rest] = h.replace(/^\//, "").split("/");
  return { name, args: rest };
}


function useRoute() {
  const [route, setRoute] = useState(parseRoute());
  useEffect(() => {
    const on = () => { setRoute(parseRoute()); window.scrollTo(0, 0); };
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

// useMe is the signed-in user: from the server, or (offline) as last seen,
// so that tests and check-ins can still be recorded.
function useMe() {
  const cached = JSON.parse(localStorage.getItem(ME) || "null");
  const [me, setMe] = useState({ user: cached, loading: true });
  useEffect(() => {
    api("GET", "/api/me").then(
      (user) => set(user),
      (err) => {
        // Only a 401 means signed out: offline, a busy server (429) or a
        // failing one (5xx) keeps the account last seen, so that tests
        // can still be recorded and sent later.
        const keep = err instanceof Offline || (err instanceof ApiError && (err.status === 429 || err.status >= 500));
        setMe({ user: keep ? cached : null, loading: false, offline: keep });
      },
    );
  }, []);
  const set = (user) => {
    if (user) localStorage.setItem(ME, JSON.stringify(user));
    else localStorage.removeItem(ME);
    setMe({ user, loading: false });
  };
  return [me, set];
}

// useZone gives a person's account this device's time zone when it has
// none, so that their days and night-time are counted where they live
// (More shows it and changes it). It does so once: not after this phone
// filled it in, saw it set, or the person changed it in More (a zone they
// cleared stays cleared). Quietly does nothing offline or when the server
// does not know the zone.
function useZone(user, setMe) {
  const person = !!user && user.role === "person";
  if (person && user.time_zone && !zoneOnce(user.id)) zoneChosen(user.id);
  const needs = person && !user.time_zone && !zoneOnce(user.id);
  useEffect(() => {
    const tz = browserZone();
    if (!needs || !tz || !navigator.onLine) return;
    let live = true;
    api("PATCH", "/api/me", { body: { time_zone: tz } }).then((u) => {
      zoneChosen(user.id);
      if (live && u) setMe(u);
    }, () => {});
    return () => { live = false; };
  }, [needs, user && user.id]);
}

function useOutboxCount(personId) {
  const [n, setN] = useState(0);
  useEffect(() => {
    const count = () => outbox.all().then((items) => setN(items.filter((i) => i.personId === personId).length), () => {});
    count();
    outbox.events.addEventListener("change", count);
    const stop = personId ? outbox.start(personId) : () => {};
    return () => { outbox.events.removeEventListener("change", count); stop(); };
  }, [personId]);
  return n;
}

function useOnline() {
  const [on, setOn] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOn(true), down = () => setOn(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => { window.removeEventListener("online", up); window.removeEventListener("offline", down); };
  }, []);
  return on;
}

function Header({ me, waiting, online }) {
  return html`<header class="top">
    <a class="brand" href=${me ? (me.role === "clinician" ? "#/people" : "#/today") : "#/"}>legwork</a>
    <div class="status" role="status" aria-live="polite">
      ${!online && html`<span class="badge offline">Offline</span>`}
      ${waiting > 0 && html`<a class="badge waiting" href="#/more" id="outbox-count">${waiting} waiting to upload</a>`}
    </div>
  </header>`;
}

const personTabs = [["today", "Today"], ["tests", "Tests"], ["diary", "Diary"], ["trends", "Trends"], ["more", "More"]];
const clinicianTabs = [["people", "People"], ["more", "More"]];

function Nav({ me, route }) {
  const tabs = me.role === "clinician" ? clinicianTabs : personTabs;
  const active = { run: "tests", sharing: "more", treatments: "more" }[route.name] || route.name;
  return html`<nav class="tabs" aria-label="Main">
    ${tabs.map(([k, label]) => html`<a href=${"#/" + k} aria-current=${active === k ? "page" : undefined}>${label}</a>`)}
  </nav>`;
}

function App() {
  const [me, setMe] = useMe();
  const route = useRoute();
  const online = useOnline();
  const user = me.user;
  const waiting = useOutboxCount(user && user.role === "person" ? user.id : null);
  useZone(user, setMe);

  useEffect(() => {
    if (route.name === "invite") sessionStorage.setItem("legwork.invite", route.code);
  }, [route]);

  if (me.loading && !user) return html`<main class="screen"><p>Loading…</p></main>`;
  const signedIn = (u) => {
    setMe(u);
    const code = sessionStorage.getItem("legwork.invite");
    go(code && u.role === "clinician" ? "#invite=" + encodeURIComponent(code) : u.role === "clinician" ? "#/people" : "#/today");
  };
  const signOut = async () => {
    try { await api("POST", "/api/logout"); } catch (e) { if (!(e instanceof ApiError)) throw e; }
    await forgetCopies();
    setMe(null);
    go("#/");
  };
  if (!user) {
    const screen = route.name === "signup"
      ? html`<${SignUp} onDone=${signedIn} />`
      : html`<${SignIn} onDone=${signedIn} invite=${route.name === "invite" || !!sessionStorage.getItem("legwork.invite")} />`;
    return html`<${Header} me=${null} waiting=${0} online=${online} />${screen}`;
  }

  const p = { me: user, personId: user.id };
  const clinician = user.role === "clinician";
  let screen;
  switch (clinician && !["invite", "people", "more"].includes(route.name) ? "people" : route.name) {
    case "invite": screen = html`<${AcceptInvite} me=${user} code=${route.code} signOut=${signOut} />`; break;
    case "tests": screen = html`<${Tests} ...${p} />`; break;
    case "run": screen = html`<${Run} key=${route.args[0]} ...${p} test=${route.args[0]} />`; break;
    case "diary": screen = route.args[0] ? html`<${DiaryEdit} key=${route.args[0]} ...${p} id=${route.args[0]} />` : html`<${Diary} ...${p} />`; break;
    case "treatments": screen = html`<${Treatments} ...${p} />`; break;
    case "trends": screen = html`<${TrendsScreen} ...${p} />`; break;
    case "sharing": screen = html`<${Sharing} ...${p} />`; break;
    case "people": screen = route.args[0] ? html`<${PersonView} key=${route.args[0]} me=${user} personId=${+route.args[0]} />` : html`<${People} me=${user} />`; break;
    case "more": screen = html`<${More} me=${user} setMe=${setMe} signOut=${signOut} />`; break;
    default: screen = user.role === "clinician" ? html`<${People} me=${user} />` : html`<${Today} ...${p} />`;
  }
  return html`<${Header} me=${user} waiting=${waiting} online=${online} />${screen}<${Nav} me=${user} route=${route} />`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
}
