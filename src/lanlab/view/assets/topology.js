/* Topology pane: cytoscape.js graph of the nodes (an icon per kind) and links (port names at
   their ends); frames on the wire drawn as dots moving from sender to receiver, coloured by
   protocol; floods and forwards marked on the links they use; drops marked where they happen;
   links coloured and widened by their load; domains shaded on request. */
"use strict";
(function (L) {
  function icon(kind) {
    const shapes = {
      host: '<rect x="8" y="10" width="48" height="32" rx="3" fill="#dfe9f5" stroke="#2c3e50" stroke-width="3"/><rect x="24" y="44" width="16" height="6" fill="#2c3e50"/><rect x="16" y="50" width="32" height="4" fill="#2c3e50"/>',
      switch: '<rect x="4" y="18" width="56" height="28" rx="4" fill="#d5f5e3" stroke="#1e8449" stroke-width="3"/><path d="M14 28h30l-6-5M50 36H20l6 5" stroke="#1e8449" stroke-width="3" fill="none"/>',
      hub: '<rect x="4" y="18" width="56" height="28" rx="4" fill="#fdebd0" stroke="#b9770e" stroke-width="3"/><circle cx="16" cy="32" r="4" fill="#b9770e"/><circle cx="32" cy="32" r="4" fill="#b9770e"/><circle cx="48" cy="32" r="4" fill="#b9770e"/>',
      router: '<circle cx="32" cy="32" r="26" fill="#e8daef" stroke="#6c3483" stroke-width="3"/><path d="M18 32h28M40 26l6 6-6 6M32 18v28M26 24l6-6 6 6" stroke="#6c3483" stroke-width="3" fill="none"/>'
    };
    const body = shapes[kind] || '<rect x="8" y="8" width="48" height="48" fill="#eee" stroke="#333" stroke-width="3"/>';
    return "data:image/svg+xml;utf8," + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' + body + "</svg>");
  }

  function linkId(i) { return "link" + i; }

  function Topology(viewer, container) {
    this.viewer = viewer;
    const run = viewer.run, doc = run.doc;
    this.nodeId = {};
    const elements = [];
    doc.nodes.forEach(function (node, i) {
      this.nodeId[node.name] = "n" + i;
      const address = node.addresses.length ? "\n" + node.addresses.join("\n") : "";
      elements.push({group: "nodes", data: {id: "n" + i, label: node.name + address, kind: node.kind, icon: icon(node.kind)}});
    }, this);
    doc.links.forEach(function (link, i) {
      const [a, pa] = split(link.a), [b, pb] = split(link.b);
      elements.push({group: "edges", data: {id: linkId(i), source: this.nodeId[a], target: this.nodeId[b],
        sourceLabel: pa, targetLabel: pb, width: 3, colour: "#aab"}});
    }, this);
    const roots = pickRoots(doc);
    this.cy = cytoscape({
      container: container, elements: elements, minZoom: 0.2, maxZoom: 3,
      style: [
        {selector: "node", style: {"min-zoomed-font-size": 0, "background-image": "data(icon)", "background-fit": "contain", "background-opacity": 0,
          "shape": "round-rectangle", "width": 46, "height": 46, "label": "data(label)", "text-valign": "bottom",
          "text-halign": "center", "text-wrap": "wrap", "font-size": 12, "text-margin-y": 4, "color": "#1b2631",
          "text-background-color": "#fff", "text-background-opacity": 0.8, "text-background-padding": 1}},
        {selector: "node.selected-node", style: {"border-width": 3, "border-color": "#f1c40f", "border-opacity": 1}},
        {selector: "node.acting", style: {"underlay-color": "#f7dc6f", "underlay-opacity": 0.6, "underlay-padding": 8}},
        {selector: "edge", style: {"width": "data(width)", "line-color": "data(colour)", "curve-style": "bezier",
          "source-label": "data(sourceLabel)", "target-label": "data(targetLabel)", "source-text-offset": 30,
          "target-text-offset": 30, "font-size": 10, "color": "#555", "text-background-color": "#fff",
          "text-background-opacity": 0.9, "text-background-padding": 1}},
        {selector: "edge.flooding", style: {"line-style": "dashed", "line-color": "#e67e22", "width": 5}},
        {selector: "edge.forwarding", style: {"line-color": "#2e86de", "width": 5}},
        {selector: "edge.down", style: {"line-style": "dotted", "line-color": "#c0392b"}},
        {selector: "edge.loop", style: {"underlay-color": "#e74c3c", "underlay-opacity": 0.35, "underlay-padding": 6}},
        {selector: "edge.blocked", style: {"line-style": "dotted", "line-color": "#95a5a6", "width": 3}},
        {selector: "node.packet", style: {"width": 16, "height": 16, "shape": "ellipse", "background-color": "data(colour)",
          "background-opacity": 1, "background-image": "none", "border-width": 2, "border-color": "#fff", "label": "data(label)",
          "font-size": 9, "text-valign": "top", "text-margin-y": -2, "color": "data(colour)", "z-index": 10,
          "events": "no", "text-background-opacity": 0}},
        {selector: "node.packet.current", style: {"width": 22, "height": 22, "border-color": "#f1c40f", "border-width": 3}},
        {selector: "node.dropmark", style: {"shape": "round-rectangle", "background-color": "#c0392b", "background-image": "none",
          "background-opacity": 1, "width": 150, "height": 18, "label": "data(label)", "color": "#fff",
          "font-size": 11, "text-valign": "center", "text-margin-y": 0, "events": "no", "z-index": 11,
          "text-background-opacity": 0}},
        {selector: "node.collisionmark", style: {"background-color": "#d35400"}},
        {selector: "node.backoffmark", style: {"background-color": "#7f8c8d", "width": 90}}
      ],
      layout: layoutOptions(doc, roots)
    });
    const cy = this.cy;
    const refit = function () { cy.resize(); cy.fit(cy.nodes().not(".packet, .dropmark"), 30); };
    refit();
    requestAnimationFrame(refit);  // again once the page has its final size and the labels are measured
    window.addEventListener("resize", L.debounce(refit, 100));
    this.cy.on("tap", "node", function (event) {
      const name = doc.nodes[Number(event.target.id().slice(1))];
      if (name && viewer.selectNode) viewer.selectNode(name.name);
    });
    this.packets = {};
    const self = this;
    viewer.on(function (step, previous, how) { self.draw(step, previous, how); });
  }

  function split(label) { const at = label.lastIndexOf(":"); return [label.slice(0, at), label.slice(at + 1)]; }

  /* One root per connected part of the network: its best-connected switch, hub or router. */
  function pickRoots(doc) {
    const degree = {}, parent = {};
    function find(x) { while (parent[x] !== x) x = parent[x] = parent[parent[x]]; return x; }
    for (const n of doc.nodes) { parent[n.name] = n.name; degree[n.name] = 0; }
    for (const link of doc.links) {
      const a = split(link.a)[0], b = split(link.b)[0];
      degree[a]++; degree[b]++;
      parent[find(a)] = find(b);
    }
    const best = {};
    for (const n of doc.nodes) {
      const part = find(n.name), score = (n.kind === "host" ? 0 : 1000) + degree[n.name];
      if (!(part in best) || score > best[part][0]) best[part] = [score, n.name];
    }
    return Object.values(best).map(function (entry) { return entry[1]; });
  }

  function layoutOptions(doc, roots) {
    const ring = ringLayout(doc);
    if (ring) return {name: "preset", positions: ring, padding: 30, animate: false};
    // A tree from each part's best-connected switch or router: stars and trees read top-down.
    const ids = roots.map(function (name) { return "#n" + doc.nodes.findIndex(function (n) { return n.name === name; }); });
    return {name: "breadthfirst", roots: ids.join(","), spacingFactor: 1.4, padding: 30, animate: false};
  }

  /* Switches or routers linked in a loop (a ring, a triangle): them on a circle, each host outside
     the circle beside the device it hangs on. null when the devices form no loop. */
  function ringLayout(doc) {
    const kind = {}, ids = {};
    doc.nodes.forEach(function (n, i) { kind[n.name] = n.kind; ids[n.name] = "n" + i; });
    const infra = doc.nodes.filter(function (n) { return n.kind !== "host"; }).map(function (n) { return n.name; });
    const between = doc.links.map(function (l) { return [split(l.a)[0], split(l.b)[0]]; });
    const infraLinks = between.filter(function (p) { return kind[p[0]] !== "host" && kind[p[1]] !== "host"; });
    if (infra.length < 3 || infraLinks.length < infra.length) return null;
    // Order the devices by walking the loop, so neighbours sit side by side.
    const next = {};
    for (const [a, b] of infraLinks) { (next[a] = next[a] || []).push(b); (next[b] = next[b] || []).push(a); }
    const order = [infra[0]], seen = {[infra[0]]: true};
    while (order.length < infra.length) {
      const last = order[order.length - 1];
      const step = (next[last] || []).find(function (n) { return !seen[n]; }) || infra.find(function (n) { return !seen[n]; });
      seen[step] = true; order.push(step);
    }
    // An ellipse wider than tall, as the pane is.
    const rx = Math.max(170, 70 * order.length), ry = Math.max(70, 20 * order.length), at = {}, positions = {};
    order.forEach(function (name, k) {
      const angle = -Math.PI / 2 + 2 * Math.PI * k / order.length;
      at[name] = angle;
      positions[ids[name]] = {x: rx * Math.cos(angle), y: ry * Math.sin(angle)};
    });
    const hostsOf = {};
    for (const [a, b] of between) {
      if (kind[a] === "host" && kind[b] !== "host") (hostsOf[b] = hostsOf[b] || []).push(a);
      else if (kind[b] === "host" && kind[a] !== "host") (hostsOf[a] = hostsOf[a] || []).push(b);
    }
    let loose = 0;
    for (const name of order) {
      const hosts = hostsOf[name] || [];
      hosts.forEach(function (host, k) {
        if (positions[ids[host]]) return;
        const angle = at[name] + (k - (hosts.length - 1) / 2) * 0.35;
        positions[ids[host]] = {x: (rx + 160) * Math.cos(angle), y: (ry + 120) * Math.sin(angle)};
      });
    }
    for (const n of doc.nodes) if (!positions[ids[n.name]]) positions[ids[n.name]] = {x: -rx + 120 * loose++, y: ry + 260};
    return positions;
  }

  Topology.prototype.edgeOfPort = function (label) {
    const i = this.viewer.run.linkOf[label];
    return i === undefined ? null : this.cy.getElementById(linkId(i));
  };

  /* A point `frac` of the way along the wire between two nodes' icons (not their centres, so a
     dot leaving or reaching a node is seen beside it, not hidden under it), and beside the wire
     on the right of its way (the port names sit on the wire; the two ways keep apart). */
  const ICON_RADIUS = 44, LANE = 14;
  Topology.prototype.pointOn = function (fromLabel, toLabel, frac) {
    const a = this.cy.getElementById(this.nodeId[split(fromLabel)[0]]).position();
    const b = this.cy.getElementById(this.nodeId[split(toLabel)[0]]).position();
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const margin = Math.min(0.45, ICON_RADIUS / length);
    const f = margin + (1 - 2 * margin) * frac;
    const rightX = -(b.y - a.y) / length, rightY = (b.x - a.x) / length;  // y grows downwards on screen
    return {x: a.x + (b.x - a.x) * f + LANE * rightX, y: a.y + (b.y - a.y) * f + LANE * rightY};
  };

  Topology.prototype.draw = function (step, previous, how) {
    const run = this.viewer.run, ev = run.doc.events, cy = this.cy, self = this;
    const flights = step >= 0 ? run.inFlight(step) : [];
    const animate = how === "play" && previous === step - 1;
    cy.batch(function () {
      cy.elements(".flooding, .forwarding, .acting").removeClass("flooding forwarding acting");
      cy.remove(".dropmark");
      const keep = {};
      for (const flight of flights) {
        const id = "pk" + flight.hop;
        keep[id] = true;
        const frame = run.frame(flight.tx);
        let node = cy.getElementById(id);
        const target = self.pointOn(flight.from, flight.to, flight.frac);
        if (node.empty()) {
          node = cy.add({group: "nodes", data: {id: id, colour: L.colour(frame.protocol), label: frame.protocol,
            link: flight.from + "-" + flight.to, from: flight.from, to: flight.to, proto: frame.protocol, tx: flight.tx},
            classes: "packet", position: animate ? self.pointOn(flight.from, flight.to, 0.02) : target, grabbable: false, selectable: false});
        }
        node.toggleClass("current", flight.tx === step);
        if (animate) node.animate({position: target}, {duration: self.stepMs * 0.9, queue: false});
        else node.position(target);
      }
      cy.nodes(".packet").forEach(function (node) { if (!keep[node.id()]) node.remove(); });
      if (step >= 0) {
        const kind = ev.kind[step], name = run.name(step), port = ev.port[step];
        const nodeEl = cy.getElementById(self.nodeId[name]);
        nodeEl.addClass("acting");
        if (kind === "flood") {
          const note = ev.note[step] || "";
          const ports = note.indexOf("copies to ") === 0 ? note.slice(10).split(", ") : [];
          for (const p of ports) { const edge = self.edgeOfPort(name + ":" + p); if (edge) edge.addClass("flooding"); }
          if (run.nodes[ev.node[step]].kind === "hub") {  // a hub repeats out of every other port
            run.nodes[ev.node[step]].ports.forEach(function (p) {
              if (p.name !== port) { const edge = self.edgeOfPort(name + ":" + p.name); if (edge) edge.addClass("flooding"); }
            });
          }
        } else if (kind === "forward") {
          const edge = self.edgeOfPort(name + ":" + port); if (edge) edge.addClass("forwarding");
        } else if (kind === "drop") {
          const at = nodeEl.position();
          cy.add({group: "nodes", data: {id: "drop" + step, label: "\u2715 " + (ev.note[step] || kind)},
            classes: "dropmark", position: {x: at.x, y: at.y - 40}, grabbable: false, selectable: false});
        } else if (kind === "collision" || kind === "late-collision") {
          // A station's collision happens on the hub's medium: mark the hub, and the station backing off.
          const peer = run.peerOf[run.label(step)];
          const hub = peer && run.nodes[ev.node[step]].kind !== "hub" ? cy.getElementById(self.nodeId[split(peer)[0]]) : nodeEl;
          const at = hub.position(), own = nodeEl.position();
          cy.add({group: "nodes", data: {id: "collision" + step, label: "\u2715 collision"}, classes: "dropmark collisionmark",
            position: {x: at.x, y: at.y - 40}, grabbable: false, selectable: false});
          if (hub !== nodeEl) cy.add({group: "nodes", data: {id: "backoff" + step, label: "backing off"}, classes: "dropmark backoffmark",
            position: {x: own.x, y: own.y - 40}, grabbable: false, selectable: false});
        }
      }
      self.drawLoad(step);
      self.drawLinkState(step);
      self.drawSpanningTree(step);
      self.drawStormLoop(step);
    });
  };

  /* Load: frames per second on each link over the last LOAD_WINDOW_NS of sim time (at most
     LOAD_EVENTS events back), as width and colour: grey, orange from 1,000/s, red from 20,000/s. */
  const LOAD_WINDOW_NS = 10e6, LOAD_EVENTS = 30000;
  Topology.prototype.drawLoad = function (step) {
    const run = this.viewer.run, ev = run.doc.events;
    const counts = new Array(run.doc.links.length).fill(0);
    const since = step >= 0 ? ev.t[step] - LOAD_WINDOW_NS : 0;
    let i = step;
    for (; i >= 0 && i > step - LOAD_EVENTS && ev.t[i] > since; i--) {
      if (ev.kind[i] !== "tx") continue;
      const link = run.linkOf[run.label(i)];
      if (link !== undefined) counts[link]++;
    }
    // A window cut short by LOAD_EVENTS covers less time than LOAD_WINDOW_NS: divide by what it covers.
    const seconds = step >= 0 && i >= 0 && ev.t[i] > since ? Math.max(1e-6, (ev.t[step] - ev.t[i]) / 1e9) : LOAD_WINDOW_NS / 1e9;
    const self = this;
    counts.forEach(function (count, k) {
      const rate = count / seconds;
      const edge = self.cy.getElementById(linkId(k));
      edge.data("width", 3 + Math.min(9, Math.max(0, Math.log10(Math.max(rate, 1)) - 2) * 3));
      edge.data("colour", rate >= 20000 ? "#e74c3c" : rate >= 1000 ? "#f5b041" : "#aab");
      edge.data("rate", Math.round(rate));
    });
  };

  Topology.prototype.drawLinkState = function (step) {
    // A link is down from a "link ... down" event to the next "up" one.
    const run = this.viewer.run, ev = run.doc.events;
    if (!this.linkEvents) {
      this.linkEvents = [];
      for (let i = 0; i < run.count; i++) if (ev.kind[i] === "link") this.linkEvents.push(i);
    }
    const down = {};
    for (const i of this.linkEvents) {
      if (i > step) break;
      const label = run.label(i);
      down[label] = / down/.test(ev.note[i]);
    }
    for (const label in down) { const edge = this.edgeOfPort(label); if (edge) edge.toggleClass("down", down[label]); }
  };

  /* From the first storm event on, the loop it names ("loop: sw1:p1-sw2:p1, ...") glows red. */
  Topology.prototype.drawStormLoop = function (step) {
    const run = this.viewer.run, ev = run.doc.events, self = this;
    if (this.stormAt === undefined) {
      this.stormAt = ev.kind.indexOf("storm");
      this.loop = [];
      if (this.stormAt >= 0) {
        const names = {};
        run.doc.links.forEach(function (link, i) { names[link.a + "-" + link.b] = i; });
        const match = /loop: ([^)]*)/.exec(run.summary(this.stormAt));
        for (const name of match ? match[1].split(", ") : []) if (names[name] !== undefined) this.loop.push(names[name]);
      }
    }
    const on = this.stormAt >= 0 && step >= this.stormAt;
    for (const i of this.loop) self.cy.getElementById(linkId(i)).toggleClass("loop", on);
  };

  /* A port the spanning tree keeps from forwarding (blocking, listening, discarding, ...) draws
     its link grey and dotted at that end's switch. */
  Topology.prototype.drawSpanningTree = function (step) {
    const run = this.viewer.run, tables = run.tablesAt(step), self = this;
    this.cy.edges(".blocked").removeClass("blocked");
    for (const name in tables) {
      const stp = tables[name].stp;
      if (!stp) continue;
      for (const port of stp.ports) {
        if (port.state === "forwarding" || port.state === "disabled") continue;
        const edge = self.edgeOfPort(name + ":" + port.port);
        if (edge) edge.addClass("blocked");
      }
    }
  };

  /* Broadcast domains (what a router separates) and collision domains (a cascade of hubs and its
     stations), as the document's "domains" lists them (lanlab.topology.domains: the same walk as
     `lanlab sim domains`): each broadcast domain's nodes one colour, each shared medium's links another. */
  Topology.prototype.setDomains = function (on) {
    const doc = this.viewer.run.doc, cy = this.cy, self = this;
    const palette = ["#aed6f1", "#abebc6", "#f9e79f", "#f5b7b1", "#d7bde2", "#a3e4d7"];
    const media = ["#f39c12", "#8e44ad", "#16a085", "#c0392b", "#2c3e50", "#d35400"];
    cy.nodes().not(".packet, .dropmark").forEach(function (n) { n.removeStyle("underlay-color underlay-opacity underlay-padding"); });
    cy.edges().removeStyle("underlay-color underlay-opacity underlay-padding");
    if (!on || !doc.domains) return;
    doc.domains.broadcast.forEach(function (domain, i) {
      const names = domain.hosts.map(function (port) { return split(port)[0]; }).concat(domain.devices);
      for (const name of names) {
        cy.getElementById(self.nodeId[name]).style({"underlay-color": palette[i % palette.length], "underlay-opacity": 0.7, "underlay-padding": 14});
      }
    });
    const mediumOf = {};  // NODE:PORT -> index of the shared medium it is on
    doc.domains.collision.filter(function (domain) { return domain.hubs.length > 0; }).forEach(function (domain, i) {
      for (const port of domain.ports) mediumOf[port] = i;
    });
    doc.links.forEach(function (link, i) {
      const medium = link.a in mediumOf ? mediumOf[link.a] : mediumOf[link.b];
      if (medium !== undefined) {
        cy.getElementById(linkId(i)).style({"underlay-color": media[medium % media.length], "underlay-opacity": 0.35, "underlay-padding": 7});
      }
    });
  };

  /* What is drawn now, for tests and for people reading the page's state from the console. */
  Topology.prototype.drawn = function () {
    return {
      packets: this.cy.nodes(".packet").map(function (n) { return {from: n.data("from"), to: n.data("to"), proto: n.data("proto"), tx: n.data("tx")}; }),
      flooding: this.cy.edges(".flooding").map(function (e) { return e.id(); }),
      forwarding: this.cy.edges(".forwarding").map(function (e) { return e.id(); }),
      drops: this.cy.nodes(".dropmark").not(".collisionmark, .backoffmark").map(function (n) { return n.data("label"); }),
      collisions: this.cy.nodes(".collisionmark").map(function (n) { return n.position(); }),
      backoffs: this.cy.nodes(".backoffmark").length
    };
  };

  L.Topology = Topology;
})(window.lanlab);
