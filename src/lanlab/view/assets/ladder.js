/* Ladder pane: the conversation of the selected frame's two end hosts (ARP then ping, a TCP
   handshake, RIP between two routers) as arrows between the devices each hop went through. */
"use strict";
(function (L) {
  const MAX_ARROWS = 80;

  function Ladder(viewer, container) {
    this.viewer = viewer;
    this.container = container;
    const run = viewer.run, owner = {};
    for (const node of run.nodes) {
      for (const address of node.addresses) owner[address] = node.name;
      for (const port of node.ports) if (port.mac) owner[port.mac] = node.name;
    }
    this.owner = owner;
    const self = this;
    viewer.on(function (step) { self.draw(step); });
  }

  function value(frame, layer, name) {
    for (const l of frame.layers) if (l.layer === layer) for (const f of l.fields) if (f[0] === name) return f[1].split(" ")[0];
    return null;
  }

  /* The two ends of a frame's conversation, as node names (IP addresses first, MACs otherwise). */
  Ladder.prototype.ends = function (frame) {
    const o = this.owner;
    const a = o[value(frame, "IPv4", "src")] || o[value(frame, "ARP", "sender_ip")] || o[value(frame, "Ethernet", "src")];
    const b = o[value(frame, "IPv4", "dst")] || o[value(frame, "ARP", "target_ip")] || o[value(frame, "Ethernet", "dst")];
    return a && b ? [a, b].sort().join("|") : null;
  };

  Ladder.prototype.draw = function (step) {
    if (this.container.hidden) return;  // drawn when its tab is shown
    const run = this.viewer.run, ev = run.doc.events, box = L.clear(this.container), el = L.el;
    const frame = step >= 0 ? run.frame(step) : null;
    const pair = frame ? this.ends(frame) : null;
    if (!pair) { box.appendChild(el("p", {class: "hint", text: "Select an event with a frame between two hosts to see their conversation."})); return; }
    if (!this.endsOf) this.endsOf = run.doc.frames.map(this.ends, this);  // each frame's two ends, once
    if (this.pair !== pair) {  // a new conversation: find its hops (one pass over the run)
      this.pair = pair;
      this.arrows = [];
      for (const hop of run.hops) {
        if (this.arrows.length >= MAX_ARROWS) break;
        if (hop.rx >= 0 && this.endsOf[ev.frame[hop.tx]] === pair) this.arrows.push([hop.tx, hop.rx]);
      }
    }
    const arrows = this.arrows;
    const columns = [];
    for (const [tx, rx] of arrows) for (const name of [run.name(tx), run.name(rx)]) if (columns.indexOf(name) < 0) columns.push(name);
    const [left, right] = pair.split("|");
    columns.sort(function (a, b) { return rank(a) - rank(b); });
    function rank(name) { return name === left ? -1 : name === right ? 1e6 : columns.indexOf(name); }
    const width = Math.max(this.container.clientWidth - 24, columns.length * 100), rowH = 22, height = 40 + arrows.length * rowH;
    const svg = L.svg("svg", {width: width, height: height, class: "ladder", "data-test": "ladder"});
    const x = function (name) { return 50 + columns.indexOf(name) * ((width - 100) / Math.max(1, columns.length - 1)); };
    for (const name of columns) {
      svg.appendChild(L.svg("text", {x: x(name), y: 14, "text-anchor": "middle", class: "ladder-name", text: name}));
      svg.appendChild(L.svg("line", {x1: x(name), y1: 20, x2: x(name), y2: height, class: "ladder-life"}));
    }
    const viewer = this.viewer;
    arrows.forEach(function ([tx, rx], k) {
      const y = 34 + k * rowH, proto = ev.proto[tx], colour = L.colour(proto);
      const x1 = x(run.name(tx)), x2 = x(run.name(rx));
      const group = L.svg("g", {class: "ladder-arrow" + (tx === step || rx === step ? " current" : "")});
      group.appendChild(L.svg("line", {x1: x1, y1: y, x2: x2, y2: y, stroke: colour, "stroke-width": tx === step || rx === step ? 3 : 1.5}));
      const dir = x2 > x1 ? -1 : 1;
      group.appendChild(L.svg("path", {d: "M" + x2 + " " + y + " l" + (dir * 8) + " -4 v8 z", fill: colour}));
      // The label sits over its arrow, cut to the arrow's length (the full line is in the event list).
      const room = Math.max(12, Math.floor(Math.abs(x2 - x1) / 6.6));
      const label = L.seconds(ev.t[tx]) + " " + run.frame(tx).summary;
      group.appendChild(L.svg("text", {x: Math.min(x1, x2) + 4, y: y - 4, "text-anchor": "start", class: "ladder-label",
        text: label.length > room ? label.slice(0, room - 1) + "\u2026" : label}));
      group.appendChild(L.svg("title", {text: label}));
      group.addEventListener("click", function () { viewer.go(tx, "select"); });
      svg.appendChild(group);
    });
    box.appendChild(el("p", {class: "hint", text: "Conversation " + left + " \u2194 " + right + ": each arrow one hop (" + arrows.length + (arrows.length === MAX_ARROWS ? "+" : "") + ")."}));
    box.appendChild(svg);
  };

  L.Ladder = Ladder;
})(window.lanlab);
