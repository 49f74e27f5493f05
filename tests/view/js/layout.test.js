/* Topology layout (src/lanlab/view/assets/layout.js): on every example, the demo's classroom and a
   routed network with hubs, no two nodes' boxes (icon, name, addresses) overlap, no port name
   overlaps a node or another port name, and a frame dot clears them all along its way; trees read
   from their most central device, loops sit on an ellipse. */
"use strict";

const MEASURE = lanlab.textMeasurer(), ASPECT = 830 / 370;  // the topology pane's shape at 1400x900
function split(label) { const at = label.lastIndexOf(":"); return [label.slice(0, at), label.slice(at + 1)]; }
function centre(box) { return {x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2}; }

test("on every example, the demo and a routed network with hubs nothing overlaps", function () {
  const names = Object.keys(jstest.docs.networks);
  assert.ok(names.length >= 15 && names.indexOf("demo") >= 0 && names.indexOf("routed_hubs") >= 0, "networks: " + names);
  for (const name of names) {
    const doc = jstest.docs.networks[name], layout = lanlab.layout(doc, MEASURE, ASPECT);
    assert.deepEqual(lanlab.layoutOverlaps(doc, layout, MEASURE).slice(0, 5), [], name);
    assert.equal(Object.keys(layout.ports).length, 2 * doc.links.length, name + ": every link end has its port name placed");
  }
});

test("the overlap check finds nodes on each other and a port name on a node", function () {
  const doc = jstest.docs.networks.arp, layout = lanlab.layout(doc, MEASURE, ASPECT);
  const crowded = Object.assign({}, layout, {at: Object.assign({}, layout.at, {pc2: Object.assign({}, layout.at.pc1)})});
  const found = lanlab.layoutOverlaps(doc, crowded, MEASURE);
  assert.ok(found.indexOf("node pc1 overlaps node pc2") >= 0, JSON.stringify(found.slice(0, 5)));
  const sw1 = layout.at.sw1, onNode = {offset: 0, box: {x1: sw1.x - 5, y1: sw1.y - 5, x2: sw1.x + 5, y2: sw1.y + 5}};
  const moved = Object.assign({}, layout, {ports: Object.assign({}, layout.ports, {"sw1:p1": onNode})});
  assert.ok(lanlab.layoutOverlaps(doc, moved, MEASURE).indexOf("port sw1:p1 overlaps node sw1") >= 0);
});

test("a routed network with hubs is a tree from its router, each layer further from it", function () {
  const doc = jstest.docs.networks.routed_hubs, layout = lanlab.layout(doc, MEASURE, ASPECT), at = layout.at;
  const parentOf = {sw1: "r1", sw2: "r1", hub1: "sw1", hub2: "sw1", hub3: "sw2", hub4: "hub3", pc1: "hub1", pc2: "hub2", pc3: "hub3", pc4: "hub4"};
  const across = at.sw1.x > at.r1.x + 1 && Math.abs(at.sw1.y - at.r1.y) < Math.abs(at.sw1.x - at.r1.x);
  for (const child in parentOf) {
    const parent = parentOf[child], layer = across ? at[child].x - at[parent].x : at[child].y - at[parent].y;
    assert.ok(layer > lanlab.GEOMETRY.ICON, child + " is a layer beyond " + parent + " (" + layer + ")");
  }
  assert.ok(across, "wider than tall on a wide pane: the tree goes across");
  const down = lanlab.layout(doc, MEASURE, 0.5).at;
  assert.ok(down.sw1.y > down.r1.y + lanlab.GEOMETRY.ICON, "on a tall pane the tree goes down");
});

test("a star's hosts sit in one layer under their switch, in the links' order", function () {
  const at = lanlab.layout(jstest.docs.networks.arp, MEASURE, ASPECT).at;
  assert.equal(at.pc1.y, at.pc2.y); assert.equal(at.pc2.y, at.pc3.y);
  assert.ok(at.pc1.x < at.pc2.x && at.pc2.x < at.pc3.x, "left to right as linked");
  assert.ok(at.sw1.y < at.pc1.y && Math.abs(at.sw1.x - at.pc2.x) < 1, "the switch above the middle host");
});

test("the root is the most central device, the best-connected among equals", function () {
  const doc = jstest.docs.networks["count-to-infinity"], at = lanlab.layout(doc, MEASURE, ASPECT).at;
  // r1 - r2 - r3 with a host on each end router: r2 is nearest everything, so it starts the tree.
  assert.ok(at.r2.x < at.r1.x && at.r2.x < at.r3.x || at.r2.y < at.r1.y && at.r2.y < at.r3.y, JSON.stringify(at));
});

test("a loop of switches sits on an ellipse, each host further out than its switch", function () {
  const doc = jstest.docs.networks.stp, at = lanlab.layout(doc, MEASURE, ASPECT).at;
  const mid = {x: (at.sw1.x + at.sw2.x + at.sw3.x) / 3, y: (at.sw1.y + at.sw2.y + at.sw3.y) / 3};
  const far = function (name) { return Math.hypot(at[name].x - mid.x, at[name].y - mid.y); };
  for (const link of doc.links) {
    const [a, b] = [split(link.a)[0], split(link.b)[0]];
    if (a.startsWith("pc")) assert.ok(far(a) > far(b) + lanlab.GEOMETRY.ICON, a + " outside " + b);
  }
});

test("each port name sits on its link, in the half nearer its own node", function () {
  for (const name of ["demo", "routed_hubs", "rip-ring"]) {
    const doc = jstest.docs.networks[name], layout = lanlab.layout(doc, MEASURE, ASPECT);
    for (const link of doc.links) for (const [end, other] of [[link.a, link.b], [link.b, link.a]]) {
      const a = layout.at[split(end)[0]], b = layout.at[split(other)[0]], c = centre(layout.ports[end].box);
      const length = Math.hypot(b.x - a.x, b.y - a.y), along = ((c.x - a.x) * (b.x - a.x) + (c.y - a.y) * (b.y - a.y)) / length;
      const off = Math.abs((b.x - a.x) * (a.y - c.y) - (a.x - c.x) * (b.y - a.y)) / length;
      assert.ok(off < 0.01, name + " " + end + " is on its link (" + off + ")");
      assert.ok(along > 0 && along <= length / 2 + 0.01, name + " " + end + " sits in its own half (" + along + " of " + length + ")");
    }
  }
});

test("a dot moves from its sender towards its receiver, right of its way, never on the wire", function () {
  const doc = jstest.docs.networks.hub_vs_switch, layout = lanlab.layout(doc, MEASURE, ASPECT);
  doc.links.forEach(function (link, k) {
    const a = split(link.a)[0], b = split(link.b)[0];
    const route = lanlab.dotRoute(layout, k, a, b, MEASURE), back = lanlab.dotRoute(layout, k, b, a, MEASURE);
    assert.ok(!route.blocked && route.end - route.start >= lanlab.GEOMETRY.MIN_RUN, link.a + ": a clear run");
    const first = lanlab.dotAt(route, 0), last = lanlab.dotAt(route, 1), pa = layout.at[a], pb = layout.at[b];
    assert.ok(Math.hypot(first.x - pa.x, first.y - pa.y) < Math.hypot(last.x - pa.x, last.y - pa.y), link.a + ": away from the sender");
    assert.ok(Math.hypot(last.x - pb.x, last.y - pb.y) < Math.hypot(first.x - pb.x, first.y - pb.y), link.a + ": towards the receiver");
    // The two ways ride on opposite sides of the wire, each a lane away from it.
    const side = function (p) { return (pb.x - pa.x) * (p.y - pa.y) - (pb.y - pa.y) * (p.x - pa.x); };
    assert.ok(side(lanlab.dotAt(route, 0.5)) * side(lanlab.dotAt(back, 0.5)) < 0, link.a + ": the two ways apart");
  });
});

test("the same document gives the same layout", function () {
  const doc = jstest.docs.networks.demo;
  assert.deepEqual(lanlab.layout(doc, MEASURE, ASPECT), lanlab.layout(JSON.parse(JSON.stringify(doc)), MEASURE, ASPECT));
});

test("a larger network (6 switches in a chain, 12 hosts each) is laid out with nothing overlapping", function () {
  const nodes = [], links = [];
  for (let s = 0; s < 6; s++) {
    nodes.push({name: "sw" + s, kind: "switch", addresses: [], ports: []});
    if (s) links.push({a: "sw" + (s - 1) + ":p99", b: "sw" + s + ":p98"});
    for (let h = 0; h < 12; h++) {
      nodes.push({name: "pc" + s + "_" + h, kind: "host", addresses: ["198.18." + s + "." + (h + 1)], ports: []});
      links.push({a: "pc" + s + "_" + h + ":eth0", b: "sw" + s + ":p" + (h + 1)});
    }
  }
  const doc = {nodes: nodes, links: links}, layout = lanlab.layout(doc, MEASURE, ASPECT);
  assert.deepEqual(lanlab.layoutOverlaps(doc, layout, MEASURE).slice(0, 5), []);
});

/* A switch with `hosts` hosts (pc1..pcN, 198.18.x.y), as a page carries it. */
function star(hosts) {
  const nodes = [{name: "sw1", kind: "switch", addresses: [], ports: []}], links = [];
  for (let h = 1; h <= hosts; h++) {
    nodes.push({name: "pc" + h, kind: "host", addresses: ["198.18." + Math.floor(h / 250) + "." + (h % 250 + 1)], ports: []});
    links.push({a: "pc" + h + ":eth0", b: "sw1:p" + h});
  }
  return {nodes: nodes, links: links};
}

/* Every bus link's wire (its whole polyline) passes no node's box but its own two. */
function busCrossings(doc, layout) {
  const out = [];
  doc.links.forEach(function (link, k) {
    if (!layout.bus[k]) return;
    const ends = [split(link.a)[0], split(link.b)[0]], route = lanlab.dotRoute(layout, k, ends[0], ends[1], MEASURE);
    for (let i = 1; i < route.path.length; i++) {
      const a = route.path[i - 1], b = route.path[i];
      for (let f = 0; f <= 1; f += 0.02) {
        const x = a.x + (b.x - a.x) * f, y = a.y + (b.y - a.y) * f;
        for (const node of doc.nodes) {
          if (ends.indexOf(node.name) >= 0) continue;
          const box = layout.boxes[node.name], at = layout.at[node.name];
          if (x > at.x + box.x1 && x < at.x + box.x2 && y > at.y + box.y1 && y < at.y + box.y2) { out.push(link.a + " crosses " + node.name); return; }
        }
      }
    }
  });
  return out;
}

test("a switch with a classroom on it: its hosts in rows under it, its links a bus through the gaps, no port name piled at it", function () {
  for (const hosts of [7, 24, 60]) {
    const doc = star(hosts), layout = lanlab.layout(doc, MEASURE, ASPECT);
    assert.deepEqual(lanlab.layoutOverlaps(doc, layout, MEASURE).slice(0, 5), [], hosts + " hosts");
    assert.ok(!Object.keys(layout.ports).some(function (end) { return end.startsWith("sw1:"); }), hosts + ": no port name at the crowded switch");
    assert.ok(layout.bus.every(Boolean), hosts + ": every link runs as a bus");
    assert.deepEqual(busCrossings(doc, layout).slice(0, 5), [], hosts + ": the bus runs in the gaps");
    const rows = new Set(doc.nodes.slice(1).map(function (n) { return Math.round(layout.at[n.name].y); }));
    if (hosts >= 24) assert.ok(rows.size >= 3, hosts + " hosts sit in rows, not one line: " + rows.size);
    let x1 = Infinity, x2 = -Infinity, y1 = Infinity, y2 = -Infinity;
    for (const n of doc.nodes) {
      const at = layout.at[n.name], box = layout.boxes[n.name];
      x1 = Math.min(x1, at.x + box.x1); x2 = Math.max(x2, at.x + box.x2); y1 = Math.min(y1, at.y + box.y1); y2 = Math.max(y2, at.y + box.y2);
    }
    // zoomed to fit the pane (830 x 370), a 12 px name stays readable where a classroom can be: 24 hosts
    const zoom = Math.min((830 - 60) / (x2 - x1), (370 - 60) / (y2 - y1));
    if (hosts <= 24) assert.ok(zoom >= 0.6, hosts + " hosts fit at zoom " + zoom.toFixed(2));
  }
});

test("300 hosts on one switch are laid out at once, every one placed and clear of the others", function () {
  const doc = star(300), started = performance.now(), layout = lanlab.layout(doc, MEASURE, ASPECT), took = performance.now() - started;
  assert.ok(took < 3000, "laid out in " + Math.round(took) + " ms");
  assert.deepEqual(lanlab.layoutOverlaps(doc, layout, MEASURE).slice(0, 5), []);
  assert.deepEqual(busCrossings(doc, layout).slice(0, 5), []);
});

test("a ring turns to fit a wide pane: rip-ring's hosts sit beside it, not above and below", function () {
  const doc = jstest.docs.networks["rip-ring"], at = lanlab.layout(doc, MEASURE, ASPECT).at;
  for (const [host, router] of [["pc1", "r1"], ["pc3", "r3"]]) {
    assert.ok(Math.abs(at[host].x - at[router].x) > Math.abs(at[host].y - at[router].y), host + " beside " + router + ": " + JSON.stringify([at[host], at[router]]));
  }
  const tall = lanlab.layout(doc, MEASURE, 0.5).at;  // on a tall pane they go above and below
  assert.ok(Math.abs(tall.pc1.y - tall.r1.y) > Math.abs(tall.pc1.x - tall.r1.x), "tall: " + JSON.stringify([tall.pc1, tall.r1]));
});
