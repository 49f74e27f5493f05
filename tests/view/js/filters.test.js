/* Event filters (src/lanlab/view/assets/filters.js): protocol (by the event's protocol or a
   layer its frame carries), device, port, kind, "hide background", and the count each choice
   says, which must be how many events choosing it shows. */
"use strict";

/* Six events on pc1 / sw1 / r1, with frames whose layers are known. */
function smallDoc() {
  const rows = [  // node, port, kind, proto, frame
    [0, "eth0", "tx", "ARP", 0], [1, "p1", "rx", "ARP", 0], [1, "p2", "tx", "STP", 1],
    [2, "eth0", "rx", "ICMP", 2], [2, "eth1", "tx", "RIPv2", 3], [0, "eth0", "rx", "ICMP", 4], [-1, null, "note", "-", -1]];
  const events = {t: [], node: [], port: [], kind: [], proto: [], note: [], frame: []};
  rows.forEach(function (r, i) {
    events.t.push(i); events.node.push(r[0]); events.port.push(r[1]); events.kind.push(r[2]);
    events.proto.push(r[3]); events.note.push(""); events.frame.push(r[4]);
  });
  const layers = function (names) { return names.map(function (n) { return {layer: n}; }); };
  return {format: 1, network: "small", links: [], end: 10, commands: [], programs: {}, events: events,
    nodes: [{name: "pc1", kind: "host", ports: []}, {name: "sw1", kind: "switch", ports: []}, {name: "r1", kind: "router", ports: []}],
    frames: [{summary: "arp", layers: layers(["Ethernet", "ARP"])}, {summary: "bpdu", layers: layers(["Ethernet", "STP"])},
      {summary: "ping", layers: layers(["Ethernet", "IPv4", "ICMP"])}, {summary: "rip", layers: layers(["Ethernet", "IPv4", "UDP", "RIPv2"])},
      {summary: "unreachable", layers: layers(["Ethernet", "IPv4", "ICMP"])}],
    tables: {initial: {}, changes: []}};
}

function only(changes) { return Object.assign({}, lanlab.NO_FILTER, changes); }

test("no filter shows every event", function () {
  const run = new lanlab.Run(smallDoc());
  assert.deepEqual(lanlab.filterEvents(run, lanlab.NO_FILTER), [0, 1, 2, 3, 4, 5, 6]);
});

test("a lab check's events (only) keep just those, with the other filters still applied", function () {
  const run = new lanlab.Run(smallDoc());
  assert.deepEqual(lanlab.filterEvents(run, only({only: new Set([1, 3, 5])})), [1, 3, 5]);
  assert.deepEqual(lanlab.filterEvents(run, only({only: new Set([1, 3, 5]), proto: "ICMP"})), [3, 5]);
  assert.deepEqual(lanlab.filterEvents(run, only({only: new Set()})), [], "a check that selected no event shows none");
  const tally = lanlab.filterCounts(run, only({only: new Set([0, 3])}));
  assert.deepEqual([tally.proto.ARP, tally.proto.ICMP, tally.proto.STP], [1, 1, undefined], "the counts are of the check's events");
});

test("the protocol filter keeps the events of that protocol and those whose frame carries it", function () {
  const run = new lanlab.Run(smallDoc());
  assert.deepEqual(lanlab.filterEvents(run, only({proto: "ARP"})), [0, 1]);
  assert.deepEqual(lanlab.filterEvents(run, only({proto: "ICMP"})), [3, 5]);
  assert.deepEqual(lanlab.filterEvents(run, only({proto: "UDP"})), [4], "RIP rides on UDP");
  assert.deepEqual(lanlab.filterEvents(run, only({proto: "IPv4"})), [3, 4, 5]);
  assert.deepEqual(lanlab.filterEvents(run, only({proto: "TCP"})), []);
});

test("the device, port and kind filters keep exactly their events", function () {
  const run = new lanlab.Run(smallDoc());
  assert.deepEqual(lanlab.filterEvents(run, only({node: "sw1"})), [1, 2]);
  assert.deepEqual(lanlab.filterEvents(run, only({port: "eth0"})), [0, 3, 5]);
  assert.deepEqual(lanlab.filterEvents(run, only({kind: "tx"})), [0, 2, 4]);
  assert.deepEqual(lanlab.filterEvents(run, only({node: "pc1", kind: "rx"})), [5], "filters combine");
});

test("hide background drops STP and RIP and keeps everything else", function () {
  const run = new lanlab.Run(smallDoc());
  assert.deepEqual(lanlab.filterEvents(run, only({background: true})), [0, 1, 3, 5, 6]);
  assert.deepEqual(lanlab.filterEvents(run, only({background: true, proto: "UDP"})), [], "background RIP stays hidden under UDP");
});

test("each filter's counts are what the other filters leave", function () {
  const run = new lanlab.Run(smallDoc());
  const counts = lanlab.filterCounts(run, only({node: "pc1"}));
  assert.deepEqual(counts.proto, {ARP: 1, Ethernet: 2, ICMP: 1, IPv4: 1});
  assert.deepEqual(counts.node, {pc1: 2, sw1: 2, r1: 2, "": 1}, "the device counts ignore the device filter");
  assert.deepEqual(counts.kind, {tx: 1, rx: 1});
});

/* For every choice of every filter, under a spread of other filters: the count it says equals
   the number of events choosing it shows. */
function countsMatchShown(run, base, label) {
  const ev = run.doc.events, choices = {
    proto: Array.from(new Set(ev.proto)).filter(function (v) { return v !== "-"; }),
    node: run.nodes.map(function (n) { return n.name; }),
    kind: Array.from(new Set(ev.kind))};
  const counts = lanlab.filterCounts(run, base);
  for (const filter in choices) for (const choice of choices[filter]) {
    const chosen = Object.assign({}, base); chosen[filter] = choice;
    assert.equal(counts[filter][choice] || 0, lanlab.filterEvents(run, chosen).length, label + ": " + filter + "=" + choice);
  }
}

test("on a small run the count beside each choice is what choosing it shows", function () {
  const run = new lanlab.Run(smallDoc());
  for (const base of [{}, {background: true}, {port: "eth0"}, {node: "r1"}, {kind: "rx", background: true}])
    countsMatchShown(run, only(base), JSON.stringify(base));
});

test("on a real run (hub_vs_switch) the count beside each choice is what choosing it shows", function () {
  const run = new lanlab.Run(jstest.docs.hub);
  for (const base of [{}, {background: true}, {port: "p1"}, {node: "sw1"}, {kind: "rx"}, {proto: "ICMP"}])
    countsMatchShown(run, only(base), JSON.stringify(base));
});

test("on a real run each filter alone and together: together is the intersection", function () {
  const run = new lanlab.Run(jstest.docs.hub), ev = run.doc.events;
  const a = lanlab.filterEvents(run, only({proto: "ARP"})), b = lanlab.filterEvents(run, only({node: "sw1"}));
  const both = lanlab.filterEvents(run, only({proto: "ARP", node: "sw1"}));
  assert.ok(both.length > 0, "sw1 saw ARP");
  assert.deepEqual(both, a.filter(function (i) { return b.indexOf(i) >= 0; }));
  for (const i of a) assert.ok(ev.proto[i] === "ARP" || run.frame(i).layers.some(function (l) { return l.layer === "ARP"; }));
});
