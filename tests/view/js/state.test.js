/* State replay (src/lanlab/view/assets/state.js): the tables at every step, however the page got
   there (forward, back, jumps across checkpoints, live batches), equal a plain replay of the
   document's changes from the start. */
"use strict";

/* A document of n events on sw1/pc1 whose table changes are drawn at random: rows added,
   replaced and removed by key, and whole tables (key null) set. */
function syntheticDoc(n, seed) {
  const next = random(seed), changes = [];
  const events = {t: [], node: [], port: [], kind: [], proto: [], note: [], frame: []};
  for (let i = 0; i < n; i++) {
    events.t.push(i * 1000); events.node.push(i % 2); events.port.push("p1"); events.kind.push("rx");
    events.proto.push("ARP"); events.note.push(""); events.frame.push(-1);
    const many = next() < 0.6 ? 1 + Math.floor(next() * 3) : 0;
    for (let c = 0; c < many; c++) {
      const roll = next(), key = "k" + Math.floor(next() * 12);
      if (roll < 0.5) changes.push([i, "sw1", "mac", key, [key, "p" + Math.floor(next() * 4), i]]);
      else if (roll < 0.8) changes.push([i, "sw1", "mac", key, null]);
      else if (roll < 0.9) changes.push([i, "pc1", "arp", key, [key, "02:00:00:00:00:0" + (i % 10)]]);
      else changes.push([i, "sw1", "stp", null, {root: "sw" + (i % 3), cost: i}]);
    }
  }
  return {format: 1, network: "synthetic", nodes: [{name: "sw1", kind: "switch", ports: []}, {name: "pc1", kind: "host", ports: []}],
    links: [], events: events, frames: [], end: n * 1000, commands: [], programs: {},
    tables: {initial: {sw1: {mac: [["k0", "p9", 0]]}, pc1: {arp: []}}, changes: changes}};
}

/* The oracle: the tables after event i by applying every change up to it, one by one, with its
   own code (not state.js's applyChange). */
function replayed(doc, i) {
  const tables = JSON.parse(JSON.stringify(doc.tables.initial));
  for (const [event, node, table, key, row] of doc.tables.changes) {
    if (event > i) break;
    tables[node] = tables[node] || {};
    if (key === null) { tables[node][table] = JSON.parse(JSON.stringify(row)); continue; }
    const kept = (tables[node][table] || []).filter(function (old) { return old[0] !== key; });
    const at = (tables[node][table] || []).findIndex(function (old) { return old[0] === key; });
    if (row !== null) { if (at < 0) kept.push(row.slice()); else kept.splice(at, 0, row.slice()); }
    tables[node][table] = kept;
  }
  return tables;
}

test("applyChange adds a row, replaces it in place by key, removes it, and sets a whole table", function () {
  const tables = {sw1: {mac: [["a", "p1", 1], ["b", "p2", 1]]}};
  lanlab.applyChange(tables, [0, "sw1", "mac", "c", ["c", "p3", 2]]);
  assert.deepEqual(tables.sw1.mac, [["a", "p1", 1], ["b", "p2", 1], ["c", "p3", 2]]);
  lanlab.applyChange(tables, [1, "sw1", "mac", "a", ["a", "p4", 3]]);
  assert.deepEqual(tables.sw1.mac, [["a", "p4", 3], ["b", "p2", 1], ["c", "p3", 2]], "a replaced row keeps its place");
  lanlab.applyChange(tables, [2, "sw1", "mac", "b", null]);
  assert.deepEqual(tables.sw1.mac, [["a", "p4", 3], ["c", "p3", 2]]);
  lanlab.applyChange(tables, [3, "sw1", "mac", "zz", null]);
  assert.deepEqual(tables.sw1.mac, [["a", "p4", 3], ["c", "p3", 2]], "removing an absent key changes nothing");
  lanlab.applyChange(tables, [4, "r1", "stp", null, {root: "r1"}]);
  assert.deepEqual(tables.r1, {stp: {root: "r1"}}, "a node without tables gets them");
});

test("the tables before the first event are the document's initial ones, as a copy", function () {
  const doc = syntheticDoc(50, 1), run = new lanlab.Run(doc);
  const before = JSON.parse(JSON.stringify(doc.tables.initial));
  const tables = run.rebuildTables(-1);
  assert.deepEqual(tables, before);
  tables.sw1.mac.push(["x", "p1", 0]);
  assert.deepEqual(doc.tables.initial, before, "changing what rebuildTables gave must not change the document");
});

test("rebuildTables at every step equals a plain replay, across several checkpoints", function () {
  const doc = syntheticDoc(5000, 2), run = new lanlab.Run(doc);
  assert.ok(run.checkpoints.length >= 3, "the document spans several checkpoints");
  for (let i = -1; i < run.count; i += 37) assert.deepEqual(run.rebuildTables(i), replayed(doc, i), "event " + i);
  for (const i of [2046, 2047, 2048, 2049, 4095, 4096, 4999]) assert.deepEqual(run.rebuildTables(i), replayed(doc, i), "event " + i);
});

test("going forward then back restores every step's tables exactly", function () {
  const doc = syntheticDoc(300, 3), viewer = new lanlab.Viewer(doc), seen = [];
  for (let step = -1; step < 120; step++) {
    viewer.go(step);
    seen[step + 1] = JSON.parse(JSON.stringify(viewer.run.tablesAt(viewer.step)));
  }
  for (let step = 119; step >= -1; step--) {
    viewer.go(step);
    assert.deepEqual(viewer.run.tablesAt(viewer.step), seen[step + 1], "back at step " + step);
  }
});

test("jumping in any order gives the same tables as stepping there", function () {
  const doc = syntheticDoc(6000, 4), run = new lanlab.Run(doc), next = random(44);
  for (let n = 0; n < 60; n++) {
    const i = Math.floor(next() * (run.count + 1)) - 1;
    assert.deepEqual(run.tablesAt(i), replayed(doc, i), "jump to " + i);
  }
});

test("on a real run (hub_vs_switch), forward and back by one step restores the tables", function () {
  const doc = jstest.docs.hub, viewer = new lanlab.Viewer(doc);
  assert.ok(viewer.run.count > 50 && doc.tables.changes.length > 5, "the run has events and table changes");
  const seen = [];
  for (let step = -1; step < viewer.run.count; step++) { viewer.go(step + 1); viewer.go(step); seen.push(JSON.stringify(viewer.run.tablesAt(step))); }
  for (let step = viewer.run.count - 1; step >= -1; step--) {
    viewer.go(step);
    assert.equal(JSON.stringify(viewer.run.tablesAt(step)), seen[step + 1], "step " + step);
    assert.deepEqual(viewer.run.tablesAt(step), replayed(doc, step), "step " + step + " against a plain replay");
  }
});

test("changedAt names each key an event changed, '*' for a whole table, nothing before the run", function () {
  const doc = syntheticDoc(1, 5);
  doc.tables.changes = [[0, "sw1", "mac", "a", ["a", "p1", 0]], [0, "sw1", "mac", "b", null], [0, "sw1", "stp", null, {}]];
  const run = new lanlab.Run(doc);
  assert.deepEqual(run.changedAt(0), {sw1: {mac: new Set(["a", "b"]), stp: new Set(["*"])}});
  assert.deepEqual(run.changedAt(-1), {});
});

test("a run fed in live batches has the tables of the whole document", function () {
  const whole = syntheticDoc(3000, 6), half = 1700;
  const first = JSON.parse(JSON.stringify(whole));
  for (const column in first.events) first.events[column] = first.events[column].slice(0, half);
  first.tables.changes = whole.tables.changes.filter(function (c) { return c[0] < half; });
  const run = new lanlab.Run(first), batch = {events: {}, frames: [], end: whole.end, links: [], commands: [],
    changes: whole.tables.changes.filter(function (c) { return c[0] >= half; })};
  for (const column in whole.events) batch.events[column] = whole.events[column].slice(half);
  run.tablesAt(1000);  // a memo from before the batch must not survive it
  run.append(batch);
  assert.equal(run.count, 3000);
  for (const i of [1000, half - 1, half, 2047, 2048, 2999]) assert.deepEqual(run.tablesAt(i), replayed(whole, i), "event " + i);
});

test("eventAtTime is the last event at or before t", function () {
  const doc = syntheticDoc(10, 7), run = new lanlab.Run(doc);  // events at 0, 1000, ... 9000 ns
  assert.equal(run.eventAtTime(-1), -1);
  assert.equal(run.eventAtTime(0), 0);
  assert.equal(run.eventAtTime(999), 0);
  assert.equal(run.eventAtTime(1000), 1);
  assert.equal(run.eventAtTime(1e12), 9);
});

test("Viewer.go keeps the step within the run and tells every listener where it came from", function () {
  const viewer = new lanlab.Viewer(syntheticDoc(10, 8)), heard = [];
  viewer.on(function (step, previous, how) { heard.push([step, previous, how]); });
  viewer.go(4, "select"); viewer.go(99); viewer.go(-7);
  assert.deepEqual(heard, [[4, -1, "select"], [9, 4, "jump"], [-1, 9, "jump"]]);
});

test("on a real run every hop leaves by a link's end and arrives after it left at the far end", function () {
  const run = new lanlab.Run(jstest.docs.hub), ev = run.doc.events;
  assert.ok(run.hops.length > 10, "the run has hops");
  for (const hop of run.hops) {
    assert.equal(run.peerOf[hop.from], hop.to, "a hop goes along a link");
    if (hop.rx < 0) continue;
    assert.ok(hop.rx > hop.tx, "arrives after it left");
    assert.equal(ev.frame[hop.rx], ev.frame[hop.tx], "the same frame arrives");
    assert.equal(run.label(hop.rx), hop.to, "arrives at the far end");
  }
});
