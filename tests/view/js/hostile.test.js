/* Names the run's author chose are data, never keys of Object's own (state.js, filters.js,
   layout.js, ladder.js): nodes called __proto__, constructor, toString and hasOwnProperty are laid
   out, replayed and counted like pc1; long names are cut where they are drawn; a fragment or a box
   that holds no number leaves the page where it is; the live page's send row quotes a name as
   `sim run --do` reads words (util.js, live.js). */
"use strict";

const ODD_MEASURE = lanlab.textMeasurer(), ODD_ASPECT = 830 / 370;  // the topology pane's shape at 1400x900
const ODD = ["__proto__", "constructor", "toString", "hasOwnProperty", "<img src=x onerror=alert(1)>", "a 'b' \"c\"", "\u4E3B\u673A\u4E00"];

/* A switch with a host of each odd name, a frame from each to the switch, and table changes on each. */
function oddDoc() {
  const nodes = [{name: "sw1", kind: "switch", addresses: [], ports: []}], links = [], changes = [];
  const events = {t: [], node: [], port: [], kind: [], proto: [], note: [], frame: []};
  const initial = {sw1: {mac: []}};
  ODD.forEach(function (name, i) {
    nodes.push({name: name, kind: "host", addresses: ["198.18.0." + (i + 1)], ports: [{name: "eth0", mac: "02:00:00:00:00:0" + i, ip: null}]});
    links.push({a: name + ":eth0", b: "sw1:p" + (i + 1)});
    for (const [node, port, kind] of [[i + 1, "eth0", "tx"], [0, "p" + (i + 1), "rx"]]) {
      events.t.push(events.t.length); events.node.push(node); events.port.push(port); events.kind.push(kind);
      events.proto.push("ARP"); events.note.push(""); events.frame.push(-1);
    }
    changes.push([events.t.length - 1, name, "arp", "198.18.0.99", ["198.18.0.99", "02:00:00:00:00:99", "eth0"]]);
    changes.push([events.t.length - 1, "sw1", "mac", "02:00:00:00:00:0" + i, ["02:00:00:00:00:0" + i, "p" + (i + 1), i]]);
  });
  // one name holds no table at first: its first change makes it one (the case that set Object's prototype)
  delete initial[ODD[0]];
  for (const name of ODD.slice(1)) initial[name] = {arp: []};
  return {format: 1, network: "odd", nodes: nodes, links: links, events: events, frames: [], end: events.t.length,
    commands: [], programs: [], tables: {initial: JSON.parse(JSON.stringify(initial)), changes: changes}};
}

test("nodes called __proto__, constructor, toString are replayed as tables of their own, Object untouched", function () {
  const run = new lanlab.Run(oddDoc()), last = run.count - 1, tables = run.tablesAt(last);
  for (const name of ODD) {
    assert.ok(Object.prototype.hasOwnProperty.call(tables, name), name + " has tables of its own");
    assert.deepEqual(lanlab.ownTable(tables, name).arp, [["198.18.0.99", "02:00:00:00:00:99", "eth0"]], name);
  }
  assert.equal(Object.getPrototypeOf(tables), Object.prototype, "the tables object keeps its prototype");
  assert.equal({}.arp, undefined, "nothing was set on Object.prototype");
  assert.equal(lanlab.ownTable(tables, "valueOf"), undefined, "a name the run does not have holds nothing");
  const changed = run.changedAt(1);
  assert.ok(changed.__proto__ && changed.__proto__.arp.has("198.18.0.99"), "a change of __proto__ is marked as its own");
  assert.equal(run.changedAt(1).constructor, undefined, "constructor changed nothing at event 2");
});

test("each odd name is counted and filtered like any other", function () {
  const run = new lanlab.Run(oddDoc()), tally = lanlab.filterCounts(run, lanlab.NO_FILTER);
  for (const name of ODD) {
    assert.equal(tally.node[name], 1, name + " has its one event");
    assert.deepEqual(lanlab.filterEvents(run, Object.assign({}, lanlab.NO_FILTER, {node: name})).length, 1, name);
  }
  assert.equal(tally.node.sw1, ODD.length);
});

test("the layout places every odd name, clear of every other", function () {
  const doc = oddDoc(), layout = lanlab.layout(doc, ODD_MEASURE, ODD_ASPECT);
  for (const node of doc.nodes) {
    const at = Object.prototype.hasOwnProperty.call(layout.at, node.name) ? layout.at[node.name] : null;
    assert.ok(at && isFinite(at.x) && isFinite(at.y), node.name + " is placed: " + JSON.stringify(at));
  }
  assert.deepEqual(lanlab.layoutOverlaps(doc, layout, ODD_MEASURE).slice(0, 5), []);
  const owners = lanlab.ladderOwners(new lanlab.Run(doc));
  assert.equal(owners.kind.__proto__, "host");
  assert.equal(owners.kind.constructor, "host");
});

test("a long name is cut where it is drawn, whole characters kept", function () {
  assert.equal(lanlab.shownName("pc1"), "pc1");
  const long = "L".repeat(300);
  assert.equal(lanlab.shownName(long), "L".repeat(23) + "\u2026");
  assert.equal(lanlab.shownName(long, 9).length, 9);
  const wide = "\uD83D\uDE00".repeat(30);  // characters outside the BMP are not split in half
  assert.equal(Array.from(lanlab.shownName(wide)).length, 24);
  const doc = {nodes: [{name: long, kind: "host", addresses: ["198.18.0.1"], ports: []}, {name: "sw1", kind: "switch", addresses: [], ports: []}],
    links: [{a: long + ":eth0", b: "sw1:p1"}]};
  const box = lanlab.layout(doc, ODD_MEASURE, ODD_ASPECT).boxes[long];
  assert.ok(box.x2 - box.x1 < 250, "a 300-letter name does not widen its box past its cut: " + (box.x2 - box.x1));
});

test("#e= is an event only when it is a whole number", function () {
  assert.equal(lanlab.eventOfFragment("40"), 39);
  assert.equal(lanlab.eventOfFragment("0"), -1);
  for (const bad of [undefined, "", "abc", "1e3", "4.5", "99999999999999999999", "%E4%B8", "NaN"]) {
    assert.equal(lanlab.eventOfFragment(bad), null, JSON.stringify(bad));
  }
});

test("a box holding no number leaves the viewer where it is", function () {
  const viewer = new lanlab.Viewer(oddDoc());
  viewer.go(3);
  for (const bad of [NaN, undefined, "x", null]) { viewer.go(bad); assert.equal(viewer.step, 3, String(bad)); }
  viewer.go(2.7);
  assert.equal(viewer.step, 2, "a fraction goes to its whole event");
});

test("the send row quotes a name as sim run --do reads words, and only whole FROM and TO words change", function () {
  assert.equal(lanlab.sendWords("FROM ping TO -c 1", "pc1", "pc3"), "pc1 ping pc3 -c 1");
  assert.equal(lanlab.sendWords("FROM ping TO -c 1", "DESKTOP1", "TOKYO"), "DESKTOP1 ping TOKYO -c 1");
  assert.equal(lanlab.sendWords("FROM ping TO -c 1", "pc $&", "a'b"), "'pc $&' ping 'a'\"'\"'b' -c 1");
  assert.equal(lanlab.sendWords("FROM udp broadcast hello", "\u4E3B\u673A\u4E00", "x"), "\u4E3B\u673A\u4E00 udp broadcast hello");
  assert.equal(lanlab.quotedWord("pc1:eth0"), "pc1:eth0");
  assert.equal(lanlab.quotedWord("<script>alert(1):eth0"), "'<script>alert(1):eth0'");
});
