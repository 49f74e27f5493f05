/* Topology layout, as plain functions of the document and a text measurer (no page, so they are
   tested alone): where each node sits, where each port name sits on its link, and the lane a frame
   dot rides on beside its wire. What it keeps: no two nodes' boxes (icon with its name and
   addresses) overlap; no port name overlaps a node's box or another port name; a frame dot (with
   its protocol name) clears every port name and every node's box from the moment it leaves one
   node to the moment it reaches the other. Trees (stars, trees, routed networks) are tidy layers
   under their most central device; a loop of switches or routers sits on an ellipse, each host
   outside beside its device. A crowded device (more than MAX_NAMED_PORTS links: a switch with a
   classroom on it) is drawn without its port names, which could only pile up around it, and its
   leaves (hosts) sit in rows under it, as many a row as suits the pane's shape, their links a bus
   (a trunk down a gap between two columns, a branch along the gap before each row), their dots on
   the wire. Names longer than L.shownName keeps are drawn cut (the lists keep them whole).
   topology.js draws with these numbers (icon size, fonts, offsets). */
"use strict";
(function (L) {
  const G = {
    ICON: 46, CORNER: 8,  // a node's icon box, round-rectangle corner (cytoscape's: min(w/4, h/4, 8))
    NAME_FONT: 12, PORT_FONT: 10, DOT_FONT: 9, NAME_GAP: 4, PAD: 1,  // label sizes, gap under the icon, text background padding
    FONT_FAMILY: "Helvetica Neue, Helvetica, sans-serif",
    DOT_PAD: 3, DOT_BORDER: 3,  // a frame dot's padding around its protocol name, its border (the current one's)
    DOT_TEXTS: ["ARP", "ICMP", "UDP", "TCP", "STP", "RSTP", "RIPv2", "RARP", "DNS", "DHCP"],
    ICON_SLACK: 1, TEXT_SLACK: 2,  // how much larger than an icon and a text cytoscape's own bounding boxes are (measured)
    H_GAP: 28, V_GAP: 44, RING_GAP: 80, CLEAR: 3, MIN_OFFSET: 3, MIN_RUN: 16,
    MAX_NAMED_PORTS: 6  // a device with more links is drawn without port names, its leaves in rows
  };
  L.GEOMETRY = G;

  function split(label) { const at = label.lastIndexOf(":"); return [label.slice(0, at), label.slice(at + 1)]; }

  /* Text widths as cytoscape measures them (a canvas, its font string, rounded up). */
  L.textMeasurer = function () {
    const context = document.createElement("canvas").getContext("2d"), cache = L.dict();
    return function (text, size) {
      const key = size + "|" + text;
      if (!(key in cache)) { context.font = "normal normal " + size + "px " + G.FONT_FAMILY; cache[key] = Math.ceil(context.measureText(text).width); }
      return cache[key];
    };
  };

  /* Boxes are {x1, y1, x2, y2}; two boxes overlap when they share more than a line. */
  function overlaps(a, b, clear) {
    const c = clear || 0;
    return a.x1 < b.x2 + c && b.x1 < a.x2 + c && a.y1 < b.y2 + c && b.y1 < a.y2 + c;
  }
  function moved(box, x, y) { return {x1: box.x1 + x, y1: box.y1 + y, x2: box.x2 + x, y2: box.y2 + y}; }
  function around(x, y, w, h) { return {x1: x - w / 2, y1: y - h / 2, x2: x + w / 2, y2: y + h / 2}; }
  L.boxesOverlap = overlaps;

  /* A node's box around its centre: the icon, and under it its name and addresses (one a line). */
  function nodeBox(node, measure) {
    const lines = [L.shownName(node.name)].concat(node.addresses || []), icon = G.ICON / 2 + G.ICON_SLACK, text = G.PAD + G.TEXT_SLACK;
    const width = Math.max.apply(null, lines.map(function (l) { return measure(l, G.NAME_FONT); })) + 2 * text;
    return {x1: -Math.max(icon, width / 2), y1: -icon, x2: Math.max(icon, width / 2), y2: G.ICON / 2 + G.NAME_GAP + lines.length * G.NAME_FONT + text};
  }

  /* Where a ray from the icon's centre along (ux, uy) leaves its round rectangle: where cytoscape
     starts the link, and from where it counts a port name's offset. */
  function iconExit(ux, uy) {
    const h = G.ICON / 2, r = G.CORNER;
    const t = Math.min(Math.abs(ux) > 1e-9 ? h / Math.abs(ux) : Infinity, Math.abs(uy) > 1e-9 ? h / Math.abs(uy) : Infinity);
    const px = ux * t, py = uy * t;
    if (Math.abs(px) <= h - r || Math.abs(py) <= h - r) return t;
    const cx = Math.sign(px) * (h - r), cy = Math.sign(py) * (h - r), b = ux * cx + uy * cy;  // the corner's circle
    return b + Math.sqrt(Math.max(0, b * b - (cx * cx + cy * cy - r * r)));
  }

  /* How far along (ux, uy) a point starting at (px, py) inside box must go to leave it (0 if outside). */
  function boxExit(box, px, py, ux, uy) {
    if (px <= box.x1 || px >= box.x2 || py <= box.y1 || py >= box.y2) return 0;
    const tx = ux > 1e-9 ? (box.x2 - px) / ux : ux < -1e-9 ? (box.x1 - px) / ux : Infinity;
    const ty = uy > 1e-9 ? (box.y2 - py) / uy : uy < -1e-9 ? (box.y1 - py) / uy : Infinity;
    return Math.min(tx, ty);
  }

  /* The maps below are keyed by node names, which the run's author chose: L.dict, no prototype. */
  function graphOf(doc) {
    const kind = L.dict(), adjacent = L.dict(), order = L.dict(), degree = L.dict(), crowded = L.dict();
    doc.nodes.forEach(function (n, i) { kind[n.name] = n.kind; adjacent[n.name] = []; order[n.name] = i; degree[n.name] = 0; });
    for (const link of doc.links) {
      const a = split(link.a)[0], b = split(link.b)[0];
      degree[a]++; degree[b]++;
      if (a === b) continue;
      if (adjacent[a].indexOf(b) < 0) adjacent[a].push(b);
      if (adjacent[b].indexOf(a) < 0) adjacent[b].push(a);
    }
    for (const name in degree) if (degree[name] > G.MAX_NAMED_PORTS) crowded[name] = true;
    // plain[k]: link k has a crowded end (no port name there; its dots pass whatever is in their way)
    const plain = doc.links.map(function (link) { return !!(crowded[split(link.a)[0]] || crowded[split(link.b)[0]]); });
    return {kind: kind, adjacent: adjacent, order: order, crowded: crowded, plain: plain};
  }

  function distancesFrom(graph, start) {
    const depth = L.dict(), queue = [start];
    depth[start] = 0;
    for (let i = 0; i < queue.length; i++) {
      for (const next of graph.adjacent[queue[i]]) if (!(next in depth)) { depth[next] = depth[queue[i]] + 1; queue.push(next); }
    }
    return depth;
  }

  /* The connected parts of the network, each its nodes in document order. */
  function parts(doc, graph) {
    const seen = L.dict(), out = [];
    for (const node of doc.nodes) {
      if (seen[node.name]) continue;
      const part = Object.keys(distancesFrom(graph, node.name));
      for (const name of part) seen[name] = true;
      part.sort(function (a, b) { return graph.order[a] - graph.order[b]; });
      out.push(part);
    }
    return out;
  }

  /* A part's root: its most central switch, hub or router (the least far from every node), the
     best-connected among equals; a part of hosts only starts at its first host. */
  L.rootOf = function (part, graph) {
    const devices = part.filter(function (n) { return graph.kind[n] !== "host"; });
    let best = null;
    for (const name of devices.length ? devices : part) {
      const depth = distancesFrom(graph, name);
      const score = [Math.max.apply(null, Object.values(depth)), -graph.adjacent[name].length];
      if (!best || score[0] < best[0][0] || (score[0] === best[0][0] && score[1] < best[0][1])) best = [score, name];
    }
    return best[1];
  };

  /* A tidy tree: each node's children (its neighbours first met from the root, in the order the
     links list them) side by side under it (or, across: right of it), each subtree as wide as its
     widest layer needs. A crowded device's leaves are one block of rows (wrap), after its other
     children; their links are drawn as a bus: from the device along a trunk that runs down a gap
     between two columns, across in the gap before each leaf's row, and into the leaf. {at, bus:
     leaf -> {parent, back: how far before the leaf's line its link turns into its row, across}}. */
  function treeLayout(part, graph, boxes, across, aspect) {
    const root = L.rootOf(part, graph), children = L.dict(), depth = L.dict(), queue = [root];
    depth[root] = 0;
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i];
      children[name] = [];
      for (const next of graph.adjacent[name]) {
        if (next in depth) continue;
        depth[next] = depth[name] + 1; children[name].push(next); queue.push(next);
      }
    }
    // Along a layer (x, or y across) and from layer to layer (y, or x across).
    const side = across ? function (b) { return [b.y1, b.y2]; } : function (b) { return [b.x1, b.x2]; };
    const ahead = across ? function (b) { return [b.x1, b.x2]; } : function (b) { return [b.y1, b.y2]; };
    const gap = across ? G.H_GAP / 2 : G.H_GAP, layerGap = across ? G.H_GAP + G.V_GAP : G.V_GAP;
    // Each node's row of children: names, and at most one block of wrapped leaves.
    const kids = L.dict(), width = L.dict(), rowOf = L.dict();
    for (const name of queue) {
      const leaves = graph.crowded[name] ? children[name].filter(function (c) { return !children[c].length; }) : [];
      if (leaves.length <= 1) { kids[name] = children[name]; continue; }
      const others = children[name].filter(function (c) { return children[c].length; });
      kids[name] = others.concat([wrap(leaves, boxes, side, ahead, across ? 1 / (aspect || 2) : aspect || 2)]);
    }
    const extentOf = function (item) { return typeof item === "string" ? width[item] : item.width; };
    const spread = function (items) { return items.reduce(function (sum, c) { return sum + extentOf(c); }, 0) + gap * Math.max(0, items.length - 1); };
    for (let i = queue.length - 1; i >= 0; i--) {
      const name = queue[i], extent = side(boxes[name]);
      width[name] = Math.max(extent[1] - extent[0], spread(kids[name]));
    }
    const before = [], after = [];  // each layer's farthest box edges before and after its line (a block: its first row)
    for (const name of queue) {
      const d = depth[name], extent = ahead(boxes[name]);
      before[d] = Math.max(before[d] || 0, -extent[0]); after[d] = Math.max(after[d] || 0, extent[1]);
    }
    const layer = [0];
    for (let d = 1; d < before.length; d++) layer[d] = layer[d - 1] + after[d - 1] + layerGap + before[d];
    const along = L.dict(), bus = L.dict();
    along[root] = 0;
    for (const name of queue) {
      let x = along[name] - spread(kids[name]) / 2;
      for (const c of kids[name]) {
        if (typeof c === "string") along[c] = x + width[c] / 2;
        else {
          // Shifted (within the room kept for it) so that the trunk, straight on from the device,
          // runs down the middle of a gap between two columns, or beside the block.
          const step = c.cell + G.H_GAP, shift = mod(along[name] - x - c.cell - G.H_GAP / 2, step);
          c.leaves.forEach(function (leaf, i) {
            const row = Math.floor(i / c.columns);
            along[leaf] = x + shift + (i % c.columns) * step + c.lead;  // a box need not be centred on its node (a label under it)
            rowOf[leaf] = row * c.pitch;
            bus[leaf] = {parent: name, back: row ? c.top + G.V_GAP / 2 : before[depth[leaf]] + layerGap / 2, across: across};
          });
        }
        x += extentOf(c) + gap;
      }
    }
    const at = L.dict();
    for (const name of queue) {
      const line = layer[depth[name]] + (rowOf[name] || 0);
      at[name] = across ? {x: line, y: along[name]} : {x: along[name], y: line};
    }
    return {at: at, bus: bus};
  }

  function mod(a, b) { return ((a % b) + b) % b; }

  /* A crowded device's leaves as a block of rows: each in a cell as wide as the widest leaf, H_GAP
     between columns (the trunk's way) and V_GAP between rows (where the bus turns), as many columns
     as make the block `shape` times as wide as deep; a column more of room, to shift it by. */
  function wrap(leaves, boxes, side, ahead, shape) {
    let lead = 0, trail = 0, top = 0, bottom = 0;
    for (const leaf of leaves) {
      const s = side(boxes[leaf]), a = ahead(boxes[leaf]);
      lead = Math.max(lead, -s[0]); trail = Math.max(trail, s[1]); top = Math.max(top, -a[0]); bottom = Math.max(bottom, a[1]);
    }
    const cell = lead + trail, pitch = top + bottom + G.V_GAP, step = cell + G.H_GAP;
    const columns = Math.max(1, Math.min(leaves.length, Math.round(Math.sqrt(leaves.length * shape * pitch / step))));
    return {leaves: leaves, columns: columns, cell: cell, lead: lead, top: top, pitch: pitch, width: columns * step + cell};
  }

  /* How much a drawing of this size would be zoomed to fit a pane of that shape (wider is more). */
  function fitScale(at, boxes, aspect) {
    let x1 = Infinity, x2 = -Infinity, y1 = Infinity, y2 = -Infinity;
    for (const name in at) {
      x1 = Math.min(x1, at[name].x + boxes[name].x1); x2 = Math.max(x2, at[name].x + boxes[name].x2);
      y1 = Math.min(y1, at[name].y + boxes[name].y1); y2 = Math.max(y2, at[name].y + boxes[name].y2);
    }
    return Math.min(aspect / (x2 - x1), 1 / (y2 - y1));
  }

  /* A tree down or across, whichever fills a pane of this width/height shape better; a tree
     narrower than the pane is widened (up to 2.5 times), which gives its links and their port
     names room at no cost in zoom. */
  function bestTree(part, graph, boxes, aspect) {
    const down = treeLayout(part, graph, boxes, false, aspect), across = treeLayout(part, graph, boxes, true, aspect);
    const chosen = fitScale(across.at, boxes, aspect) > 1.2 * fitScale(down.at, boxes, aspect) ? across : down, tree = chosen.at;
    let x1 = Infinity, x2 = -Infinity, y1 = Infinity, y2 = -Infinity;
    for (const name in tree) {
      x1 = Math.min(x1, tree[name].x + boxes[name].x1); x2 = Math.max(x2, tree[name].x + boxes[name].x2);
      y1 = Math.min(y1, tree[name].y + boxes[name].y1); y2 = Math.max(y2, tree[name].y + boxes[name].y2);
    }
    const widen = Math.min(2.5, Math.max(1, 0.9 * aspect * (y2 - y1) / (x2 - x1)));
    for (const name in tree) tree[name] = {x: tree[name].x * widen, y: tree[name].y};
    return chosen;
  }

  /* Switches or routers linked in a loop (a ring, a triangle): them on an ellipse, walking the loop
     so neighbours sit side by side, each host outside beside its device; turned (in quarters of
     the angle between two devices) to fit the pane's shape best, so that a ring's hosts go sideways
     on a wide pane. null without a loop. */
  function ringLayout(part, graph, boxes, aspect) {
    const kind = graph.kind;
    const infra = part.filter(function (n) { return kind[n] !== "host"; });
    let infraLinks = 0;
    for (const a of infra) for (const b of graph.adjacent[a]) if (kind[b] !== "host" && a < b) infraLinks++;
    if (infra.length < 3 || infraLinks < infra.length) return null;
    const order = [infra[0]], seen = L.dict();
    seen[infra[0]] = true;
    while (order.length < infra.length) {
      const last = order[order.length - 1];
      const step = graph.adjacent[last].find(function (n) { return kind[n] !== "host" && !seen[n]; }) || infra.find(function (n) { return !seen[n]; });
      seen[step] = true; order.push(step);
    }
    // Quarter steps on a small ring, whole steps on a big one; a whole step (a device straight at the
    // top, bottom or side) or a half one is kept unless another turn fits clearly better.
    const quarters = order.length <= 6 ? 4 : 1;
    let best = null;
    for (let j = 0; j < quarters * order.length; j++) {
      const at = ringAt(part, graph, boxes, order, 2 * Math.PI * j / (quarters * order.length));
      const scale = fitScale(at, boxes, aspect || 2) * (j % quarters === 0 ? 1.1 : j % 2 === 0 ? 1.05 : 1);
      if (!best || scale > best.scale + 1e-9) best = {at: at, scale: scale};
    }
    return best.at;
  }

  function ringAt(part, graph, boxes, order, turn) {
    const kind = graph.kind;
    const rx = Math.max(170, 70 * order.length), ry = Math.max(90, 30 * order.length), angleOf = L.dict(), at = L.dict();
    order.forEach(function (name, k) {
      const angle = -Math.PI / 2 + turn + 2 * Math.PI * k / order.length;
      angleOf[name] = angle;
      at[name] = {x: rx * Math.cos(angle), y: ry * Math.sin(angle)};
    });
    for (const name of order) {  // each host outward from its device, as near as leaves a layer's gap between their boxes
      const hosts = graph.adjacent[name].filter(function (n) { return kind[n] === "host"; });
      hosts.forEach(function (host, k) {
        if (at[host]) return;
        const angle = angleOf[name] + (k - (hosts.length - 1) / 2) * 0.35, ux = Math.cos(angle), uy = Math.sin(angle);
        let d = G.ICON;
        while (d < 2000 && overlaps(moved(boxes[host], at[name].x + ux * d, at[name].y + uy * d), moved(boxes[name], at[name].x, at[name].y), G.RING_GAP)) d += 4;
        at[host] = {x: at[name].x + ux * d, y: at[name].y + uy * d};
      });
    }
    let loose = 0;
    for (const name of part) if (!at[name]) at[name] = {x: -rx + 140 * loose++, y: ry + 300};
    return at;
  }

  /* The parts side by side, left to right, tops aligned. */
  function sideBySide(placed, boxes) {
    const out = L.dict();
    let left = 0;
    for (const at of placed) {
      let x1 = Infinity, x2 = -Infinity, y1 = Infinity;
      for (const name in at) {
        x1 = Math.min(x1, at[name].x + boxes[name].x1); x2 = Math.max(x2, at[name].x + boxes[name].x2);
        y1 = Math.min(y1, at[name].y + boxes[name].y1);
      }
      for (const name in at) out[name] = {x: at[name].x - x1 + left, y: at[name].y - y1};
      left += x2 - x1 + 3 * G.H_GAP;
    }
    return out;
  }

  /* Each port name on its link, as near its node as it can sit clear of every node's box and of
     the port names placed before it, in the half of the link nearest its node. The offset is
     cytoscape's source/target-text-offset: from where the link leaves the icon. {ports}, or the
     first link where one does not fit ({short, both}: the layout is then spread out, tried again).
     A crowded device's ends have no name, and the other end of its link a name only where one fits. */
  function placePorts(doc, at, boxes, measure, graph) {
    const ports = L.dict(), placed = [], nodeBoxes = Object.keys(at).map(function (name) { return moved(boxes[name], at[name].x, at[name].y); });
    for (let k = 0; k < doc.links.length; k++) {
      const link = doc.links[k];
      let crowded = false;  // a port name was in the way (only spreading both ways makes room between links)
      for (const [end, other] of [[link.a, link.b], [link.b, link.a]]) {
        const name = split(end)[0], a = at[name], b = at[split(other)[0]];
        if (graph.crowded[name] || graph.bus[k]) continue;  // a bus link's way is not straight: no names on it
        const length = Math.hypot(b.x - a.x, b.y - a.y);
        if (length < 1) { if (graph.plain[k]) continue; return {short: k, both: true}; }
        const ux = (b.x - a.x) / length, uy = (b.y - a.y) / length, start = iconExit(ux, uy);
        const w = measure(split(end)[1], G.PORT_FONT) + 2 * (G.PAD + G.TEXT_SLACK), h = G.PORT_FONT + 2 * (G.PAD + G.TEXT_SLACK);
        // Only what lies near this link's first half can be in the way (a big network stays fast).
        const m = (a.x + b.x) / 2, n = (a.y + b.y) / 2;
        const near = {x1: Math.min(a.x, m) - w, y1: Math.min(a.y, n) - h, x2: Math.max(a.x, m) + w, y2: Math.max(a.y, n) + h};
        const nearNodes = nodeBoxes.filter(function (box) { return overlaps(box, near, G.CLEAR); });
        const nearPlaced = placed.filter(function (box) { return overlaps(box, near, G.CLEAR); });
        let found = null;
        for (let offset = G.MIN_OFFSET; start + offset <= length / 2; offset += 2) {
          const box = around(a.x + ux * (start + offset), a.y + uy * (start + offset), w, h);
          if (nearNodes.some(function (other) { return overlaps(box, other, G.CLEAR); })) continue;
          if (nearPlaced.some(function (other) { return overlaps(box, other, G.CLEAR); })) { crowded = true; continue; }
          found = {offset: offset, box: box};
          break;
        }
        if (!found && graph.plain[k]) continue;
        if (!found) return {short: k, both: crowded};
        ports[end] = found;
        placed.push(found.box);
      }
    }
    return {ports: ports};
  }

  function nodesClear(names, at, boxes) {
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
      const a = names[i], b = names[j];
      if (overlaps(moved(boxes[a], at[a].x, at[a].y), moved(boxes[b], at[b].x, at[b].y), 2 * G.CLEAR)) return false;
    }
    return true;
  }

  /* A frame dot: a pill in its protocol's colour with the protocol's name in it, as a box around
     its centre (the widest name when none is given; the border of the current dot included). */
  L.dotSize = function (measure, text) {
    const width = text ? measure(text, G.DOT_FONT) : Math.max.apply(null, G.DOT_TEXTS.map(function (t) { return measure(t, G.DOT_FONT); }));
    return {w: width + 2 * G.DOT_PAD, h: G.DOT_FONT + 2 * G.DOT_PAD};
  };
  function dotBox(measure) {
    const size = L.dotSize(measure);
    return around(0, 0, size.w + 2 * G.DOT_BORDER, size.h + 2 * G.DOT_BORDER);
  }

  /* Each link's lane: how far right of its way a dot rides, just clear of the wire, so that the
     two ways' dots pass each other without touching. */
  function lanes(doc, at, measure) {
    const dot = dotBox(measure);
    return doc.links.map(function (link) {
      const a = at[split(link.a)[0]], b = at[split(link.b)[0]];
      const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      return 1 + (Math.abs(b.y - a.y) * dot.x2 + Math.abs(b.x - a.x) * dot.y2) / length;  // the dot's half-extent across the wire
    });
  }

  /* The whole layout, for a pane `aspect` times as wide as tall: {at: name -> centre, boxes: name -> box around the centre, ports:
     NODE:PORT -> {offset, box}, lanes: link index -> px}. */
  L.layout = function (doc, measure, aspect) {
    const graph = graphOf(doc), boxes = L.dict();
    for (const node of doc.nodes) boxes[node.name] = nodeBox(node, measure);
    let rings = false;  // a loop on an ellipse keeps its shape: it is spread both ways
    const busOf = L.dict();  // a wrapped leaf -> how its link runs from its device (treeLayout)
    const placed = parts(doc, graph).map(function (part) {
      const ring = ringLayout(part, graph, boxes, aspect);
      rings = rings || ring !== null;
      if (ring) return ring;
      const tree = bestTree(part, graph, boxes, aspect || 2);
      for (const leaf in tree.bus) busOf[leaf] = tree.bus[leaf];
      return tree.at;
    });
    // graph.bus[k]: link k's leaf and how it runs from its device, or null (a straight link).
    graph.bus = doc.links.map(function (link) {
      const a = split(link.a)[0], b = split(link.b)[0];
      return busOf[a] && busOf[a].parent === b ? Object.assign({leaf: a}, busOf[a]) : busOf[b] && busOf[b].parent === a ? Object.assign({leaf: b}, busOf[b]) : null;
    });
    let at = sideBySide(placed, boxes), layout = null;
    for (let tries = 0; tries < 40; tries++) {  // spread out until every node, port name and dot has room
      const placing = nodesClear(doc.nodes.map(function (n) { return n.name; }), at, boxes) ? placePorts(doc, at, boxes, measure, graph) : {both: true};
      layout = {at: at, boxes: boxes, ports: placing.ports || null, links: doc.links, lanes: lanes(doc, at, measure), plain: graph.plain,
        bus: buses(graph, at)};
      const short = placing.ports ? shortRun(doc, layout, measure) : placing;
      if (short === null) break;
      // A link too short for its port names or its dots is lengthened along its main direction
      // (a tree down grows taller, not wider); nodes or names in each other's way spread both ways.
      let sx = 1.15, sy = 1.15;
      if (!short.both && !rings) {
        const link = doc.links[short.short], a = at[split(link.a)[0]], b = at[split(link.b)[0]];
        if (Math.abs(b.y - a.y) > Math.abs(b.x - a.x)) sx = 1; else sy = 1;
      }
      const spread = L.dict();
      for (const name in at) spread[name] = {x: at[name].x * sx, y: at[name].y * sy};
      at = spread;
    }
    return layout;
  };

  /* Each bus link's turn: {parent, leaf, turn: how far past the device's icon its link turns towards
     its leaf (cytoscape's taxi-turn), direction: "downward" or "rightward" (its taxi-direction)}; null
     for a straight link. */
  function buses(graph, at) {
    return graph.bus.map(function (bus) {
      if (!bus) return null;
      const line = function (name) { return bus.across ? at[name].x : at[name].y; };
      const turn = line(bus.leaf) - bus.back - (line(bus.parent) + G.ICON / 2);
      return turn > 0 ? {parent: bus.parent, leaf: bus.leaf, turn: turn, direction: bus.across ? "rightward" : "downward"} : null;
    });
  }

  /* A bus link's way for a dot, as a polyline from one node to the other along the wire, and how
     far along it the dot runs clear of the two nodes' boxes. */
  function busRoute(layout, linkIndex, from, to, measure) {
    const bus = layout.bus[linkIndex], p = layout.at[bus.parent], q = layout.at[bus.leaf], dot = dotBox(measure);
    const across = bus.direction === "rightward", t = (across ? p.x : p.y) + G.ICON / 2 + bus.turn;
    let corners = across ? [p, {x: t, y: p.y}, {x: t, y: q.y}, q] : [p, {x: p.x, y: t}, {x: q.x, y: t}, q];
    if (from !== bus.parent) corners = corners.slice().reverse();
    // On the wire itself, not a lane beside it: a bus link has no port names to keep clear, and the
    // gap between two rows holds one dot, not two side by side.
    const points = corners.filter(function (c, i) { return i === 0 || Math.hypot(c.x - corners[i - 1].x, c.y - corners[i - 1].y) > 0.5; });
    const units = [];
    for (let i = 1; i < points.length; i++) {
      const dx = points[i].x - points[i - 1].x, dy = points[i].y - points[i - 1].y, length = Math.hypot(dx, dy);
      units.push({x: dx / length, y: dy / length, length: length});
    }
    const lengths = [0];
    for (let i = 1; i < points.length; i++) lengths.push(lengths[i - 1] + Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y));
    const total = lengths[lengths.length - 1];
    // Out of the sender's box along the first segment; into the receiver's along the last (both straight, axis-wise).
    const leave = function (name, u) {
      const box = layout.boxes[name];
      return (u.y > 0.5 ? box.y2 + dot.y2 : u.y < -0.5 ? -box.y1 - dot.y1 : u.x > 0.5 ? box.x2 + dot.x2 : -box.x1 - dot.x1) + 1;
    };
    const first = units[0], last = units[units.length - 1];
    let start = Math.min(leave(from, first), first.length), end = total - Math.min(leave(to, {x: -last.x, y: -last.y}), last.length);
    const blocked = start > end;
    if (blocked) start = end = total / 2;
    return {path: points, lengths: lengths, start: start, end: end, blocked: blocked};
  }

  /* The first link whose dot, one way or the other, has no clear run of MIN_RUN between the port
     names ({short: link index}), or null when every one has. */
  function shortRun(doc, layout, measure) {
    for (let k = 0; k < doc.links.length; k++) {
      if (layout.plain && layout.plain[k]) continue;
      const a = split(doc.links[k].a)[0], b = split(doc.links[k].b)[0];
      for (const [from, to] of [[a, b], [b, a]]) {
        const route = L.dotRoute(layout, k, from, to, measure);
        if (route.blocked || route.end - route.start < G.MIN_RUN) return {short: k, both: false};
      }
    }
    return null;
  }

  /* Where along its lane (right of its way) a dot runs from one node to the other: from where it
     has left every node's box and port name near the sender to where it meets the first near the
     receiver (blocked: something sits across the middle of its way). On a plain link (a crowded
     device's) only the two nodes' boxes count: the rest of its way may cross rows of hosts. */
  L.dotRoute = function (layout, linkIndex, from, to, measure) {
    if (layout.bus && layout.bus[linkIndex]) return busRoute(layout, linkIndex, from, to, measure);
    const a = layout.at[from], b = layout.at[to], lane = layout.lanes[linkIndex], link = layout.links[linkIndex];
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1, ux = (b.x - a.x) / length, uy = (b.y - a.y) / length;
    const nx = -uy, ny = ux;  // y grows downwards on screen
    const ox = a.x + nx * lane, oy = a.y + ny * lane, dot = dotBox(measure), middle = length / 2;
    const ex = ox + ux * length, ey = oy + uy * length;  // the lane's far end; only what lies near the lane matters
    const near = {x1: Math.min(ox, ex) + dot.x1, y1: Math.min(oy, ey) + dot.y1, x2: Math.max(ox, ex) + dot.x2, y2: Math.max(oy, ey) + dot.y2};
    const obstacles = [], plain = !!(layout.plain && layout.plain[linkIndex]);
    for (const name of plain ? [from, to] : Object.keys(layout.at)) {
      const box = moved(layout.boxes[name], layout.at[name].x, layout.at[name].y);
      if (overlaps(box, near)) obstacles.push(box);
    }
    if (!plain) for (const port in layout.ports || {}) if (overlaps(layout.ports[port].box, near)) obstacles.push(layout.ports[port].box);
    let start = 0, end = length, blocked = false;
    for (const box of obstacles) {  // the stretch of the lane inside the box grown by the dot (slabs)
      let t0 = -Infinity, t1 = Infinity;
      for (const [o, u, low, high] of [[ox, ux, box.x1 - dot.x2, box.x2 - dot.x1], [oy, uy, box.y1 - dot.y2, box.y2 - dot.y1]]) {
        if (Math.abs(u) < 1e-9) { if (o <= low || o >= high) { t0 = Infinity; } continue; }
        const p = (low - o) / u, q = (high - o) / u;
        t0 = Math.max(t0, Math.min(p, q)); t1 = Math.min(t1, Math.max(p, q));
      }
      if (t0 >= t1) continue;
      if (t1 <= middle) start = Math.max(start, t1 + 1);
      else if (t0 >= middle) end = Math.min(end, t0 - 1);
      else blocked = true;
    }
    if (start > end) { start = end = middle; blocked = true; }
    return {x: ox, y: oy, ux: ux, uy: uy, start: start, end: end, blocked: blocked};
  };

  /* Where a frame's dot is `frac` of its way along its route. */
  L.dotAt = function (route, frac) {
    const s = route.start + (route.end - route.start) * frac;
    if (route.path) {  // a bus link's polyline (busRoute)
      let i = 1;
      while (i < route.path.length - 1 && route.lengths[i] < s) i++;
      const a = route.path[i - 1], b = route.path[i], span = route.lengths[i] - route.lengths[i - 1] || 1, f = (s - route.lengths[i - 1]) / span;
      return {x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f};
    }
    return {x: route.x + route.ux * s, y: route.y + route.uy * s};
  };

  /* Everything that overlaps in a layout, as readable lines (empty when nothing does): node boxes,
     port names against nodes and each other, and dots along every link both ways against them. */
  L.layoutOverlaps = function (doc, layout, measure) {
    const out = layout.ports ? [] : ["the port names found no room"], names = doc.nodes.map(function (n) { return n.name; });
    const nodeBox = L.dict();
    for (const name of names) nodeBox[name] = moved(layout.boxes[name], layout.at[name].x, layout.at[name].y);
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
      if (overlaps(nodeBox[names[i]], nodeBox[names[j]])) out.push("node " + names[i] + " overlaps node " + names[j]);
    }
    const portNames = Object.keys(layout.ports || {});
    for (let i = 0; i < portNames.length; i++) {
      const p = layout.ports[portNames[i]].box;
      for (const name of names) if (overlaps(p, nodeBox[name])) out.push("port " + portNames[i] + " overlaps node " + name);
      for (let j = i + 1; j < portNames.length; j++) if (overlaps(p, layout.ports[portNames[j]].box)) out.push("port " + portNames[i] + " overlaps port " + portNames[j]);
    }
    doc.links.forEach(function (link, k) {
      const plain = !!(layout.plain && layout.plain[k]);  // its dots clear its own two nodes only
      for (const [from, to] of [[split(link.a)[0], split(link.b)[0]], [split(link.b)[0], split(link.a)[0]]]) {
        const route = L.dotRoute(layout, k, from, to, measure);
        for (let step = 0; step <= 20; step++) {
          const p = L.dotAt(route, step / 20), box = moved(dotBox(measure), p.x, p.y);
          for (const name of plain ? [from, to] : names) if (overlaps(box, nodeBox[name])) out.push("dot " + from + "->" + to + " at " + step / 20 + " overlaps node " + name);
          if (!plain) for (const port of portNames) if (overlaps(box, layout.ports[port].box)) out.push("dot " + from + "->" + to + " at " + step / 20 + " overlaps port " + port);
        }
      }
    });
    return out;
  };
})(window.lanlab);
