/* Ladder logic (src/lanlab/view/assets/ladder.js): each frame's two ends, the conversation of a
   step and of a hop (a group frame belongs to its sender and the router that got it), a
   conversation's arrows hop by hop without bystanders, and the columns' order. */
"use strict";

function fields(layer, pairs) { return {layer: layer, fields: pairs}; }

test("a frame's ends: IPv4 addresses first, ARP's, then MACs; a group frame only its sender", function () {
  const run = new lanlab.Run(jstest.docs.hub), who = lanlab.ladderOwners(run);
  const ping = {layers: [fields("Ethernet", [["src", "02:00:00:00:00:01"], ["dst", "ff:ff:ff:ff:ff:ff"]]),
    fields("IPv4", [["src", "198.18.0.1"], ["dst", "198.18.0.3"]])]};
  assert.equal(lanlab.frameEnds(who, ping), "pc1|pc3");
  const arp = {layers: [fields("Ethernet", [["src", "x"], ["dst", "ff:ff:ff:ff:ff:ff"]]),
    fields("ARP", [["sender_ip", "198.18.0.3"], ["target_ip", "198.18.0.1 (who has)"]])]};
  assert.equal(lanlab.frameEnds(who, arp), "pc1|pc3", "sorted, and a field's value is its first word");
  const group = {layers: [fields("IPv4", [["src", "198.18.0.2"], ["dst", "224.0.0.9"]])]};
  assert.equal(lanlab.frameEnds(who, group), "pc2|");
  assert.equal(lanlab.frameEnds(who, {layers: [fields("IPv4", [["src", "198.51.100.1"], ["dst", "198.18.0.1"]])]}), null);
});

test("pc1's pings to pc3: arrows hop by hop through sw1 and hub1, in time order, copies to others counted", function () {
  const run = new lanlab.Run(jstest.docs.hub), who = lanlab.ladderOwners(run);
  const endsOf = run.doc.frames.map(function (f) { return lanlab.frameEnds(who, f); });
  const found = lanlab.ladderArrows(run, who, endsOf, "pc1|pc3", 1000);
  assert.ok(found.arrows.length >= 8, "ARP both ways and two pings both ways, several hops each: " + found.arrows.length);
  assert.ok(found.leftOut > 0, "the flood to pc2 and the hub's copies to pc4 are counted");
  const linked = new Set(run.doc.links.map(function (l) { return [l.a.split(":")[0], l.b.split(":")[0]].sort().join("|"); }));
  let last = -1;
  for (const [tx, rx] of found.arrows) {
    assert.ok(linked.has([run.name(tx), run.name(rx)].sort().join("|")), "one hop: " + run.name(tx) + " -> " + run.name(rx));
    assert.ok(["pc2", "pc4"].indexOf(run.name(rx)) < 0, "no bystander drawn");
    assert.ok(tx >= last, "in time order"); last = tx;
  }
  assert.deepEqual(lanlab.ladderColumns(run, found.arrows, "pc1", "pc3"), ["pc1", "sw1", "hub1", "pc3"]);
  assert.equal(lanlab.ladderArrows(run, who, endsOf, "pc1|pc3", 3).arrows.length, 3, "at most as many as asked");
});

test("the step's conversation: a ping to pc3 seen at sw1 or at the hub is pc1 and pc3's", function () {
  const run = new lanlab.Run(jstest.docs.hub), who = lanlab.ladderOwners(run), ev = run.doc.events;
  const endsOf = run.doc.frames.map(function (f) { return lanlab.frameEnds(who, f); });
  for (const node of ["sw1", "hub1"]) {
    const step = ev.proto.findIndex(function (p, i) { return p === "ICMP" && run.name(i) === node && ev.t[i] < 1e9; });
    assert.ok(step >= 0, node + " saw a ping");
    assert.equal(lanlab.stepPair(run, who, endsOf, step, run.frame(step)), "pc1|pc3", node);
  }
});

test("a group frame belongs to its sender and each router that received it", function () {
  // r1 sends one RIP update to 224.0.0.9 through sw1, which floods it to r2 and to the host pc9.
  const names = ["r1", "sw1", "sw1", "r2", "pc9"];
  const run = {name: function (i) { return names[i]; }, doc: {events: {frame: [0, 0, 0, 0, 0]}},
    hops: [{tx: 0, rx: 1}, {tx: 2, rx: 3}, {tx: 2, rx: 4}], hopsFrom: [0, 1, 1, 3, 3, 3]};
  const who = {owner: {"198.18.9.1": "r1"}, kind: {r1: "router", sw1: "switch", r2: "router", pc9: "host"}};
  const frame = {layers: [fields("IPv4", [["src", "198.18.9.1"], ["dst", "224.0.0.9"]])]}, endsOf = [lanlab.frameEnds(who, frame)];
  assert.equal(endsOf[0], "r1|");
  assert.equal(lanlab.hopPair(run, who, endsOf, run.hops[0]), null, "a hop to a switch is nobody's conversation yet");
  assert.equal(lanlab.hopPair(run, who, endsOf, run.hops[1]), "r1|r2");
  assert.equal(lanlab.stepPair(run, who, endsOf, 0, frame), "r1|r2", "from r1's send: the first end that got it");
  assert.equal(lanlab.stepPair(run, who, endsOf, 4, frame), "pc9|r1", "at a receiving end: that end");
  assert.deepEqual(lanlab.ladderArrows(run, who, endsOf, "r1|r2", 10), {arrows: [[2, 3]], leftOut: 0});
});
