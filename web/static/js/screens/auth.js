// Sign in, sign up, and accepting a clinician invitation.
import { html, useState, useEffect, Screen, Field, Problem, Note } from "../ui.js";
import { api } from "../api.js";

export function SignIn({ onDone, invite }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api("POST", "/api/login", { body: { email, password } });
      onDone(r.user);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<${Screen} title="Sign in">
    <p class="lead">Measure your walking and balance with your phone, keep a diary of your legs, and see how you are doing.</p>
    ${invite && html`<${Note}>You opened a clinician invitation. Sign in with your clinician account to accept it.</${Note}>`}
    <form onSubmit=${submit} novalidate>
      <${Field} id="signin-email" label="Email" name="email" type="email" autocomplete="username" required value=${email} onInput=${(e) => setEmail(e.target.value)} />
      <${Field} id="signin-password" label="Password" name="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.target.value)} />
      <${Problem} error=${error} />
      <button class="primary" type="submit" disabled=${busy}>${busy ? "Signing in…" : "Sign in"}</button>
    </form>
    <h2>New to legwork?</h2>
    <a class="button" href="#/signup" id="to-signup">Create an account</a>
  </${Screen}>`;
}

export function SignUp({ onDone }) {
  const [form, setForm] = useState({ name: "", email: "", password: "", height: "" });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(null);
  useEffect(() => { api("GET", "/api/signup").then((r) => setOpen(r.open), () => setOpen(true)); }, []);
  const set = (k) => (e) => {
    setForm({ ...form, [k]: e.target.value });
    if (error && error.field === (k === "height" ? "height_m" : k)) setError(null); // the person is fixing it
  };
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { name: form.name, email: form.email, password: form.password };
    if (form.height) {
      const cm = parseFloat(form.height.replace(",", "."));
      body.height_m = cm > 3 ? cm / 100 : cm;
    }
    try {
      const r = await api("POST", "/api/signup", { body });
      onDone(r.user);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  if (open === false) {
    return html`<${Screen} title="Create an account" back="#/">
      <${Note}>This legwork server does not take sign-ups. Ask the person who runs it to create an account for you.</${Note}>
    </${Screen}>`;
  }
  return html`<${Screen} title="Create an account" back="#/">
    <p>For people with MS. Clinicians get their account from the person who runs this server.</p>
    <form onSubmit=${submit} novalidate>
      <${Field} id="su-name" label="Your name" name="name" autocomplete="name" required value=${form.name} onInput=${set("name")} error=${error} />
      <${Field} id="su-email" label="Email" name="email" type="email" autocomplete="email" required value=${form.email} onInput=${set("email")} error=${error} />
      <${Field} id="su-password" label="Password" hint="At least 10 characters. A few words you can remember work well." name="password" type="password" autocomplete="new-password" required minlength="10" value=${form.password} onInput=${set("password")} error=${error} />
      <${Field} id="su-height" label="Your height in cm (optional)" hint="Used to estimate your stride length and walking speed." name="height_m" inputmode="decimal" value=${form.height} onInput=${set("height")} error=${error} />
      ${error && !error.field && html`<${Problem} error=${error} />`}
      <button class="primary" type="submit" disabled=${busy}>${busy ? "Creating…" : "Create my account"}</button>
    </form>
  </${Screen}>`;
}

export function AcceptInvite({ me, code, signOut }) {
  const [state, setState] = useState({ busy: false, error: null, grant: null });
  const accept = async () => {
    setState({ busy: true });
    try {
      const grant = await api("POST", "/api/invitations/accept", { body: { code } });
      sessionStorage.removeItem("legwork.invite");
      grant.person_name = (await api("GET", `/api/people/${grant.person_id}`).catch(() => ({}))).name;
      setState({ grant });
    } catch (error) {
      setState({ error });
    }
  };
  if (me.role !== "clinician") {
    return html`<${Screen} title="Clinician invitation">
      <${Note}>This invitation is for a clinician. You are signed in as ${me.name}, who is not a clinician account.</${Note}>
      <button class="secondary" onClick=${signOut}>Sign out to use a clinician account</button>
    </${Screen}>`;
  }
  if (state.grant) {
    return html`<${Screen} title="Invitation accepted">
      <p class="lead" role="status">You can now see the results ${state.grant.person_name ? `of ${state.grant.person_name}` : "of the person who invited you"}.</p>
      <a class="button primary" href=${"#/people/" + state.grant.person_id}>Open their results</a>
    </${Screen}>`;
  }
  return html`<${Screen} title="Clinician invitation">
    <p>A person invited you to see their walking and balance results, diary and treatments, and to change their weekly plan of tests. They can withdraw access at any time.</p>
    <p>Code: <code class="code">${code}</code></p>
    <${Problem} error=${state.error} />
    <button class="primary" onClick=${accept} disabled=${state.busy}>Accept invitation</button>
  </${Screen}>`;
}
