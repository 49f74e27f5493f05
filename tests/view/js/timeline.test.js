/* Time pane logic (src/lanlab/view/assets/timeline.js): the speed slider's scale, the step time
   at each speed, the next event the list shows, and the scrubber's markers. */
"use strict";

test("the slider's -1..1 is 0.1x..10x, and a step at 1x lasts a third of a second", function () {
  assert.equal(lanlab.speedOf(-1), 0.1); assert.equal(lanlab.speedOf(0), 1); assert.equal(lanlab.speedOf(1), 10);
  assert.equal(lanlab.speedText(lanlab.speedOf(-1)), "0.10x"); assert.equal(lanlab.speedText(1), "1.0x"); assert.equal(lanlab.speedText(10), "10.0x");
  assert.ok(Math.abs(lanlab.stepMsAt(1) - 1000 / 3) < 1e-9);
  assert.ok(Math.abs(lanlab.stepMsAt(0.1) / lanlab.stepMsAt(10) - 100) < 1e-9, "0.1x is a hundred times slower than 10x");
});

test("the next shown event is the first shown after the step, -1 past the end", function () {
  assert.equal(lanlab.nextShown(null, -1, 3), 0); assert.equal(lanlab.nextShown(null, 1, 3), 2); assert.equal(lanlab.nextShown(null, 2, 3), -1);
  const shown = [2, 5, 9];
  assert.deepEqual([-1, 0, 2, 3, 5, 8, 9, 20].map(function (s) { return lanlab.nextShown(shown, s, 10); }), [2, 2, 5, 5, 9, 9, -1, -1]);
  assert.equal(lanlab.nextShown([], -1, 10), -1);
});

test("against a linear search on random lists", function () {
  const next = random(7);
  for (let k = 0; k < 300; k++) {
    const shown = []; for (let i = 0; i < 50; i++) if (next() < 0.3) shown.push(i);
    const step = Math.floor(next() * 52) - 1, expected = shown.find(function (i) { return i > step; });
    assert.equal(lanlab.nextShown(shown, step, 50), expected === undefined ? -1 : expected, JSON.stringify([shown, step]));
  }
});

test("markers: commands at the first event after their time, drops, one of a kind per thousandth", function () {
  const run = new lanlab.Run(jstest.docs.hub), ev = run.doc.events, marks = lanlab.timelineMarks(run);
  const commands = marks.filter(function (m) { return m[1] === "command"; });
  assert.equal(commands.length, run.doc.commands.length, "one marker per command");
  commands.forEach(function (m, k) {
    const at = run.doc.commands[k].at;
    assert.ok(ev.t[m[0]] >= at && (m[0] === 0 || ev.t[m[0] - 1] <= at), "command " + k + " at the first event after " + at);
    assert.ok(m[2].indexOf(run.doc.commands[k].node + " ") === 0, m[2]);
  });
  for (const m of marks.filter(function (m) { return m[1] === "drop"; })) assert.equal(ev.kind[m[0]], "drop");
  const slots = marks.map(function (m) { return m[1] + Math.round(1000 * m[0] / run.count); });
  assert.equal(new Set(slots).size, slots.length, "no two markers of a kind in one slot");
  assert.equal(lanlab.markerLeft(-1, 10), 0); assert.equal(lanlab.markerLeft(9, 10), 100);
});
