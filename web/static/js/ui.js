// Small shared pieces of the interface.
import { html, useState, useEffect, useRef } from "../vendor/htm-preact.mjs";

export { html, useState, useEffect, useRef };

// Screen is a page: its heading takes the focus when it appears, so a
// screen reader announces where the person is.
export function Screen({ title, children, back }) {
  const h = useRef();
  useEffect(() => {
    document.title = `${title} · legwork`;
    h.current?.focus();
  }, [title]);
  return html`<main class="screen" id="main">
    ${back && html`<a class="back" href=${back}>‹ Back</a>`}
    <h1 tabindex="-1" ref=${h}>${title}</h1>
    ${children}
  </main>`;
}

// Problem shows an error message prominently (read out at once).
// Being offline is not a problem of the person's making: it shows as a
// note.
export const Problem = ({ error, children }) => {
  if (error && error.name === "Offline") return html`<div class="note" role="status">${error.message}</div>`;
  return error || children ? html`<div class="problem" role="alert">${error ? error.message || String(error) : children}</div>` : null;
};

export const Note = ({ children }) => html`<div class="note" role="status">${children}</div>`;

// Field is a labelled input; error is an ApiError naming this field.
export function Field({ label, hint, id, error, ...props }) {
  const bad = error && error.field === props.name;
  const described = [hint && id + "-hint", bad && id + "-error"].filter(Boolean).join(" ") || undefined;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint && html`<div class="hint" id=${id + "-hint"}>${hint}</div>`}
    <input id=${id} aria-describedby=${described} aria-invalid=${bad ? "true" : undefined} ...${props} />
    ${bad && html`<div class="field-error" id=${id + "-error"}>${error.message}</div>`}
  </div>`;
}

// Chips is a group of toggle buttons for a multiple choice.
export function Chips({ legend, options, value, onChange }) {
  const toggle = (k) => onChange(value.includes(k) ? value.filter((x) => x !== k) : [...value, k]);
  return html`<fieldset class="chips"><legend>${legend}</legend>
    ${Object.entries(options).map(([k, label]) => html`<button type="button" class="chip" aria-pressed=${value.includes(k) ? "true" : "false"} onClick=${() => toggle(k)}>${label}</button>`)}
  </fieldset>`;
}

// Choice is a group of buttons for one choice (like radio buttons).
export function Choice({ legend, options, value, onChange }) {
  return html`<fieldset class="chips" role="radiogroup"><legend>${legend}</legend>
    ${Object.entries(options).map(([k, label]) => html`<button type="button" role="radio" class="chip" aria-checked=${value === k ? "true" : "false"} onClick=${() => onChange(value === k ? "" : k)}>${label}</button>`)}
  </fieldset>`;
}

// Scale is a 0–10 rating with large − and + buttons around a slider; a
// null value shows as "not set" until the person chooses one.
export function Scale({ label, id, value, onChange, low, high }) {
  const set = (v) => onChange(Math.max(0, Math.min(10, v)));
  const v = value ?? 0;
  return html`<div class="scale">
    <label for=${id}>${label}: <output for=${id} class="scale-value">${value === null ? "not set" : value}</output></label>
    <div class="scale-row">
      <button type="button" class="round" aria-label=${`${label}: less`} onClick=${() => set(value === null ? 0 : v - 1)}>−</button>
      <input type="range" id=${id} min="0" max="10" step="1" value=${v} aria-valuetext=${value === null ? "not set" : `${value} out of 10`} onInput=${(e) => set(+e.target.value)} />
      <button type="button" class="round" aria-label=${`${label}: more`} onClick=${() => set(v + 1)}>+</button>
    </div>
    <div class="scale-ends" aria-hidden="true"><span>0 ${low}</span><span>10 ${high}</span></div>
  </div>`;
}

// useLoad runs an async loader and returns [data, error, reload].
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: undefined, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, error: null }));
    fn().then((data) => live && setState({ data, error: null }), (error) => live && setState({ data: null, error }));
    return () => { live = false; };
  }, [...deps, n]);
  // functional update: a reload kept by a listener still counts
  return [state.data, state.error, () => setN((x) => x + 1)];
}
