// The guided tests: what to prepare, what to do, and the script of spoken
// cues and markers each one follows (docs/METRICS.md describes the
// protocols; the marker names are those assess.Options.Segments expects).
//
// A script gets c: c.cue(text, vibration) speaks and shows a cue; c.wait(ms);
// c.moving(ms) and c.still(s, ms) wait for the phone to move, or to be still
// for s seconds (each gives up after ms); c.now() is the recording clock and
// c.segment(name, start, end) marks a part. The phone is at the person's
// back, so nothing asks for a tap.

const GO = [400], DONE = [200, 100, 200, 100, 200], NEXT = [200, 100, 200];

export const TESTS = {
  t25fw: {
    name: "25-foot walk",
    about: "Two timed walks of 25 feet (7.62 m), the walking test clinicians use most.",
    needs: "A straight, clear path of 25 feet (7.62 m), with a mark at the start and at the end, and your usual walking aid if you use one.",
    steps: [
      "Stand at the start mark.",
      "When you hear “Go”, walk past the end mark as quickly as you safely can, then stop and stand still.",
      "When asked, walk back to the start and stand still.",
      "Do it a second time.",
    ],
    primary: ["t25fw_time_s"],
    async script(c) {
      await c.cue("Stand still at the start mark.");
      await c.wait(3000);
      await c.cue("Ready. Go!", GO);
      await c.moving(15000);
      // Up to 180 s, the longest trial the server scores: the slowest
      // walkers must not be told to stop before the end mark.
      await c.still(1.5, 180000);
      c.segment("trial1", 0, c.now());
      await c.cue("Stop. Now walk back to the start and stand still.", NEXT);
      await c.moving(20000);
      await c.still(2, 180000);
      const start = c.now();
      await c.cue("Second walk. Stand still at the start mark.");
      await c.wait(3000);
      await c.cue("Ready. Go!", GO);
      await c.moving(15000);
      await c.still(1.5, 180000);
      c.segment("trial2", start, c.now());
      await c.cue("Done. Well done! You can take the phone out now.", DONE);
    },
  },
  walk2min: {
    name: "2-minute walk",
    about: "Walk as far as you can in two minutes: it shows your walking endurance.",
    needs: "A corridor or path where you can walk for two minutes, turning where you need to.",
    steps: ["Stand still.", "When you hear “Go”, walk as far as you can, as fast as you safely can, turning where you need to.", "Stop when you hear “Stop”."],
    primary: ["walk2min_steps", "walking_speed_mps"],
    async script(c) {
      await c.cue("Stand still.");
      await c.wait(3000);
      await c.cue("Ready. Go! Walk as far as you can for two minutes.", GO);
      await c.wait(60000);
      await c.cue("One minute left.");
      await c.wait(30000);
      await c.cue("30 seconds left.");
      await c.wait(30000);
      await c.cue("Stop, and stand still.", NEXT);
      await c.wait(3000);
      await c.cue("Done. Well done! You can take the phone out now.", DONE);
    },
  },
  uturn: {
    name: "U-turn test",
    about: "Walk and turn around for one minute: it shows how steadily you turn.",
    needs: "A clear path of about 3 metres with a mark at each end (a chair or a piece of tape).",
    steps: ["Stand at one mark.", "When you hear “Go”, walk to the other mark, turn around, and keep walking back and forth.", "Stop when you hear “Stop”."],
    primary: ["turn_speed_rps"],
    async script(c) {
      await c.cue("Stand still.");
      await c.wait(3000);
      await c.cue("Ready. Go! Walk back and forth, turning at each mark.", GO);
      await c.wait(30000);
      await c.cue("30 seconds left.");
      await c.wait(30000);
      await c.cue("Stop, and stand still.", NEXT);
      await c.wait(2000);
      await c.cue("Done. Well done! You can take the phone out now.", DONE);
    },
  },
  balance: {
    name: "Balance",
    about: "Stand still for 30 seconds with your eyes open, then 30 seconds with them closed.",
    needs: "Somewhere to stand with a wall, a counter or a person close by to hold on to if you need to.",
    steps: ["Stand with your feet together and your arms by your sides.", "Look straight ahead and keep still for 30 seconds.", "When you hear “Close your eyes”, close them and keep still for 30 seconds.", "Hold on to something at any time if you need to: safety first."],
    primary: ["sway_rms_ms2", "sway_ec_rms_ms2"],
    async script(c) {
      await c.cue("Stand with your feet together, arms by your sides. Look straight ahead and keep still.");
      await c.wait(4000);
      const open = c.now();
      await c.wait(30000);
      c.segment("eyes_open", open, c.now());
      await c.cue("Now close your eyes, and keep still.", NEXT);
      await c.wait(3000);
      const closed = c.now();
      await c.wait(30000);
      c.segment("eyes_closed", closed, c.now());
      await c.cue("Open your eyes. Done. Well done! You can take the phone out now.", DONE);
    },
  },
  sts5: {
    name: "Five sit-to-stands",
    about: "Stand up and sit down five times as fast as you can: it shows the strength of your legs.",
    needs: "A firm chair without wheels, against a wall.",
    steps: ["Sit on the chair with your feet flat and your arms crossed on your chest.", "When you hear “Go”, stand up fully and sit down again, five times, as fast as you safely can.", "Stay seated and still when you have finished."],
    primary: ["sts5_time_s"],
    async script(c) {
      await c.cue("Sit with your arms crossed, and keep still.");
      await c.wait(3000);
      await c.cue("Ready. Go! Stand up and sit down five times.", GO);
      await c.moving(15000);
      await c.still(3, 90000);
      await c.cue("Done. Well done! You can take the phone out now.", DONE);
    },
  },
};
