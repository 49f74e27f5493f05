/* Ladder pane: the conversation of the selected frame's two end hosts (ARP then ping, a TCP
   handshake, RIP between two routers) as arrows between the devices each hop went through. */
"use strict";
(function (L) {
  const MAX_ARROWS = 80;

  /* The ladder's logic, plain functions of the run (no page). `who`: each address's and MAC's
     owner and each node's kind; `endsOf`: each frame's ends (frameEnds), computed once. */
  L.ladderOwners = function (run) {
    const owner = L.dict(), kind = L.dict();
    for (const node of run.nodes) {
      for (const address of node.addresses) owner[address] = node.name;
      for (const port of node.ports) if (port.mac) owner[port.mac] = node.name;
      kind[node.name] = node.kind;
    }
    return {owner: owner, kind: kind};
  };

  function value(frame, layer, name) {
    for (const l of frame.layers) if (l.layer === layer) for (const f of l.fields) if (f[0] === name) return f[1].split(" ")[0];
    return null;
  }

  /* The two ends of a frame's conversation, as node names (IP addresses first, MACs otherwise);
     for a frame to a group or to everyone (a RIP update to 224.0.0.9) only its sender: "a|". */
  L.frameEnds = function (who, frame) {
    const o = who.owner;
    const a = o[value(frame, "IPv4", "src")] || o[value(frame, "ARP", "sender_ip")] || o[value(frame, "Ethernet", "src")];
    const b = o[value(frame, "IPv4", "dst")] || o[value(frame, "ARP", "target_ip")] || o[value(frame, "Ethernet", "dst")];
    return a && b ? [a, b].sort().join("|") : a ? a + "|" : null;
  };

  /* A host or router (an end of a conversation), not a switch or hub that only carries it. */
  L.isConversationEnd = function (who, name) { return who.kind[name] === "host" || who.kind[name] === "router"; };

  /* The conversation a hop belongs to: its frame's two ends, or for a frame sent to a group the
     sender and this hop's receiver when that is a host or router (a RIP update on one link). */
  L.hopPair = function (run, who, endsOf, hop) {
    const ends = endsOf[run.doc.events.frame[hop.tx]];
    if (!ends || ends[ends.length - 1] !== "|") return ends;
    const sender = ends.slice(0, -1), receiver = hop.rx >= 0 ? run.name(hop.rx) : "";
    return receiver && receiver !== sender && L.isConversationEnd(who, receiver) ? [sender, receiver].sort().join("|") : null;
  };

  /* The conversation of the selected event: its frame's, or for a group frame the first
     host or router that received it from here on (or the receiver itself at a receiving step). */
  L.stepPair = function (run, who, endsOf, step, frame) {
    const ends = L.frameEnds(who, frame);
    if (!ends || ends[ends.length - 1] !== "|") return ends;
    const sender = ends.slice(0, -1), here = run.name(step);
    if (here !== sender && L.isConversationEnd(who, here)) return [sender, here].sort().join("|");
    const frameIndex = run.doc.events.frame[step];
    for (let h = run.hopsFrom[step]; h < run.hops.length; h++) {
      const hop = run.hops[h];
      if (run.doc.events.frame[hop.tx] !== frameIndex || hop.rx < 0) continue;
      const pair = L.hopPair(run, who, endsOf, hop);
      if (pair) return pair;
    }
    return null;
  };

  /* A conversation's arrows, [tx, rx] per hop in time order (at most `most`), and how many copies
     reached a host or router outside it (a flood, a hub's repeat): counted, not drawn. */
  L.ladderArrows = function (run, who, endsOf, pair, most) {
    const [left, right] = pair.split("|"), arrows = [];
    let leftOut = 0;
    for (const hop of run.hops) {
      if (arrows.length >= most) break;
      if (hop.rx < 0 || L.hopPair(run, who, endsOf, hop) !== pair) continue;
      const receiver = run.name(hop.rx);
      if (receiver !== left && receiver !== right && L.isConversationEnd(who, receiver)) { leftOut++; continue; }
      arrows.push([hop.tx, hop.rx]);
    }
    return {arrows: arrows, leftOut: leftOut};
  };

  /* The ladder's columns: the conversation's two ends at the left and right edges, the devices
     between in the order the arrows first meet them. */
  L.ladderColumns = function (run, arrows, left, right) {
    const columns = [];
    for (const [tx, rx] of arrows) for (const name of [run.name(tx), run.name(rx)]) if (columns.indexOf(name) < 0) columns.push(name);
    const met = columns.slice();
    const rank = function (name) { return name === left ? -1 : name === right ? 1e6 : met.indexOf(name); };
    return columns.sort(function (a, b) { return rank(a) - rank(b); });
  };

  function Ladder(viewer, container) {
    this.viewer = viewer;
    this.container = container;
    this.who = L.ladderOwners(viewer.run);
    const self = this;
    viewer.on(function (step) { self.draw(step); });
  }

  Ladder.prototype.draw = function (step) {
    if (this.container.hidden) return;  // drawn when its tab is shown
    const run = this.viewer.run, ev = run.doc.events, box = L.clear(this.container), el = L.el;
    const who = this.who;
    if (!this.endsOf) this.endsOf = run.doc.frames.map(function (frame) { return L.frameEnds(who, frame); });  // each frame's two ends, once
    const frame = step >= 0 ? run.frame(step) : null;
    const pair = frame ? L.stepPair(run, who, this.endsOf, step, frame) : null;
    if (!pair) { box.appendChild(el("p", {class: "hint", text: L.t("Select an event with a frame between two hosts to see their conversation.")})); return; }
    const [left, right] = pair.split("|");
    if (this.pair !== pair) {  // a new conversation: find its hops (one pass over the run)
      this.pair = pair;
      const found = L.ladderArrows(run, who, this.endsOf, pair, MAX_ARROWS);
      this.arrows = found.arrows;
      this.leftOut = found.leftOut;
    }
    const arrows = this.arrows, columns = L.ladderColumns(run, arrows, left, right);
    // Wireshark's flow graph: times in a left gutter, a lifeline per device, each hop's summary in
    // full in a column on the right (on the arrow it had to be cut to the arrow's length).
    const GUTTER = 70, COLUMN = 70, rowH = 22, height = 40 + arrows.length * rowH;
    const lifelines = GUTTER + 20 + (columns.length - 1) * COLUMN, notes = lifelines + 30;
    const longest = arrows.reduce(function (most, [tx]) { return Math.max(most, run.frame(tx).summary.length); }, 0);
    const width = Math.max(this.container.clientWidth - 24, notes + longest * 6.7 + 10);
    const svg = L.svg("svg", {width: width, height: height, class: "ladder", "data-test": "ladder"});
    const x = function (name) { return GUTTER + 20 + columns.indexOf(name) * COLUMN; };
    for (const name of columns) {  // a long name cut to its column (the whole one in its tooltip)
      const head = L.svg("g", {});
      head.appendChild(L.svg("title", {text: name}));
      head.appendChild(L.svg("text", {x: x(name), y: 14, "text-anchor": "middle", class: "ladder-name", text: L.shownName(name, 9)}));
      svg.appendChild(head);
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
      group.appendChild(L.svg("text", {x: 4, y: y + 4, class: "ladder-time", text: L.seconds(ev.t[tx])}));
      group.appendChild(L.svg("text", {x: notes, y: y + 4, class: "ladder-label", text: run.frame(tx).summary}));
      group.appendChild(L.svg("title", {text: L.seconds(ev.t[tx]) + " " + run.name(tx) + " \u2192 " + run.name(rx) + ": " + run.frame(tx).summary}));
      group.addEventListener("click", function () { viewer.go(tx, "select"); });
      svg.appendChild(group);
    });
    const words = {left: left, right: right, arrows: arrows.length + (arrows.length === MAX_ARROWS ? "+" : ""), copies: this.leftOut};
    box.appendChild(el("p", {class: "hint", text: this.leftOut
      ? L.t("Conversation {left} \u2194 {right}: each arrow one hop ({arrows}); {copies} copies to other hosts and routers (floods, a hub's repeats) left out.", words)
      : L.t("Conversation {left} \u2194 {right}: each arrow one hop ({arrows}).", words)}));
    box.appendChild(svg);
    const current = arrows.findIndex(function ([tx, rx]) { return tx === step || rx === step; });
    if (current >= 0) {  // the selected hop in view
      const top = svg.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
      box.scrollTop = top + 34 + current * rowH - box.clientHeight / 2;
    }
  };

  L.Ladder = Ladder;
})(window.lanlab);
