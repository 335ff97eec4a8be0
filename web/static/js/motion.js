// Motion recording in the browser (see docs/WEB.md and the notes on phone
// sensors): devicemotion samples with their own timestamps, a screen wake
// lock, spoken cues and vibration, and a stillness detector so that a test
// can move on without the person touching the phone at their back.

const DEG = Math.PI / 180;

// support says what this browser offers for a test.
export function support() {
  return {
    secure: window.isSecureContext,
    motion: "DeviceMotionEvent" in window,
    needsPermission: typeof window.DeviceMotionEvent?.requestPermission === "function",
  };
}

// askPermission must run inside a tap (iOS): "granted", "denied" or
// "not-needed".
export async function askPermission() {
  if (!support().needsPermission) return "not-needed";
  try {
    return await DeviceMotionEvent.requestPermission();
  } catch {
    return "denied";
  }
}

// say speaks a cue (and vibrates when a pattern is given). The first call
// must come from a tap for iOS to allow speech later.
export function say(text, vibrate) {
  try {
    speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = document.documentElement.lang || "en";
    u.rate = 0.95;
    speechSynthesis.speak(u);
  } catch {
    // no speech synthesis: the cue is still shown on screen
  }
  if (vibrate && navigator.vibrate) navigator.vibrate(vibrate);
}

// keepAwake holds a screen wake lock, re-acquired whenever the page
// becomes visible again; it returns {held(), release()}.
export function keepAwake() {
  let lock = null, on = true;
  const acquire = async () => {
    if (!on || document.visibilityState !== "visible" || !navigator.wakeLock) return;
    try {
      lock = await navigator.wakeLock.request("screen");
      lock.addEventListener("release", () => (lock = null));
    } catch {
      lock = null;
    }
  };
  document.addEventListener("visibilitychange", acquire);
  acquire();
  return {
    held: () => lock !== null,
    release() {
      on = false;
      document.removeEventListener("visibilitychange", acquire);
      lock?.release().catch(() => {});
    },
  };
}

// Stillness: the standard deviation of the acceleration's magnitude over
// the last second; below STILL the phone is still, above MOVING it moves
// (walking gives 1–3 m/s², quiet standing a few hundredths).
const WINDOW_S = 1, STILL = 0.3, MOVING = 0.6;

// Recorder listens to devicemotion. It records samples once start() is
// called, on a clock whose zero is that moment (seconds); accelerations in
// m/s² including gravity, rotation rates converted from the browser's
// degrees per second to rad/s, alpha→x, beta→y, gamma→z.
export class Recorder {
  constructor() {
    this.events = 0;
    this.recording = false;
    this.t = []; this.ax = []; this.ay = []; this.az = [];
    this.gx = []; this.gy = []; this.gz = [];
    this.gyro = true;
    this.gaps = 0;
    this.win = [];
    this.state = "unknown"; // "still" | "moving"
    this.since = performance.now();
    this.hidden = false;
    this.onMotion = this.onMotion.bind(this);
    this.onVisibility = () => { if (this.recording && document.visibilityState !== "visible") this.hidden = true; };
  }

  listen() {
    window.addEventListener("devicemotion", this.onMotion);
    document.addEventListener("visibilitychange", this.onVisibility);
    // Tests feed recorded motion once the page listens.
    window.dispatchEvent(new Event("legwork:listening"));
  }

  stop() {
    this.recording = false;
    window.removeEventListener("devicemotion", this.onMotion);
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  start() {
    this.t0 = performance.now();
    this.recording = true;
    // Tests that replay a recording from the start of the test listen for this.
    window.dispatchEvent(new Event("legwork:recording"));
  }

  // now is the recording clock, in seconds.
  now() {
    return (performance.now() - this.t0) / 1000;
  }

  onMotion(e) {
    const a = e.accelerationIncludingGravity;
    if (!a || a.x === null || a.x === undefined || !isFinite(a.x) || !isFinite(a.y) || !isFinite(a.z)) return;
    this.events++;
    this.track(e.timeStamp, Math.hypot(a.x, a.y, a.z));
    if (!this.recording) return;
    const t = (e.timeStamp - this.t0) / 1000;
    if (t < 0) return;
    const n = this.t.length;
    if (n > 0 && t - this.t[n - 1] > 1) this.gaps++;
    this.t.push(t); this.ax.push(a.x); this.ay.push(a.y); this.az.push(a.z);
    const r = e.rotationRate;
    if (r && isFinite(r.alpha) && isFinite(r.beta) && isFinite(r.gamma) && r.alpha !== null) {
      // The Device Orientation and Motion spec (and Chrome and Safari): the
      // rotation rate's alpha is about the device's x axis, beta about y,
      // gamma about z (the older text, alpha about z, was corrected to
      // match the browsers).
      this.gx.push(r.alpha * DEG); this.gy.push(r.beta * DEG); this.gz.push(r.gamma * DEG);
    } else {
      this.gyro = false;
    }
  }

  track(ms, mag) {
    this.win.push([ms, mag]);
    while (this.win.length && this.win[0][0] < ms - WINDOW_S * 1000) this.win.shift();
    if (this.win.length < 10 || ms - this.win[0][0] < 0.8 * WINDOW_S * 1000) return;
    let s = 0, s2 = 0;
    for (const [, m] of this.win) { s += m; s2 += m * m; }
    const n = this.win.length, sd = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
    const next = sd < STILL ? "still" : sd > MOVING ? "moving" : this.state;
    if (next !== this.state) {
      this.state = next;
      this.since = ms;
    }
  }

  // stillFor / movingFor: seconds in that state so far (0 when not).
  stillFor() { return this.state === "still" ? (performance.now() - this.since) / 1000 : 0; }
  movingFor() { return this.state === "moving" ? (performance.now() - this.since) / 1000 : 0; }

  // data is the recording for lwb1.encode (no gyroscope columns when any
  // sample lacked them).
  data() {
    const d = { t: this.t, ax: this.ax, ay: this.ay, az: this.az };
    if (this.gyro && this.gx.length === this.t.length) Object.assign(d, { gx: this.gx, gy: this.gy, gz: this.gz });
    return d;
  }
}
