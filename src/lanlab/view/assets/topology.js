/* Topology pane: cytoscape.js graph of the nodes (an icon per kind) and links (port names at
   their ends); frames on the wire drawn as dots moving from sender to receiver, coloured by
   protocol; floods and forwards marked on the links they use; drops marked where they happen;
   links coloured and widened by their load; domains shaded on request. */
"use strict";
(function (L) {
  const G = L.GEOMETRY;
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

  /* A node's name and, a line each, its addresses: those of its address table rows when it has one. */
  function nodeLabel(node, rows) {
    const addresses = rows ? rows.map(function (row) { return row[1]; }) : node.addresses;
    return L.shownName(node.name) + (addresses.length ? "\n" + addresses.join("\n") : "");
  }

  function Topology(viewer, container) {
    this.viewer = viewer;
    const run = viewer.run, doc = run.doc;
    this.nodeId = L.dict();
    const measure = L.textMeasurer();
    this.measure = measure;
    this.layout = L.layout(doc, measure, (container.clientWidth || 800) / (container.clientHeight || 400));  // positions, port name offsets and dot lanes (layout.js)
    const layout = this.layout, elements = [];
    // A host that learns its address at run time (DHCP, RARP) keeps an address table (view/history.py):
    // its label shows what it holds at the step shown, not the address it ended with.
    this.leasing = doc.nodes.filter(function (node) { const held = L.ownTable(doc.tables.initial, node.name); return !!held && !!held.address; });
    const startTables = this.leasing.length ? viewer.run.tablesAt(-1) : null;
    doc.nodes.forEach(function (node, i) {
      this.nodeId[node.name] = "n" + i;
      const held = startTables && L.ownTable(startTables, node.name);
      elements.push({group: "nodes", data: {id: "n" + i, label: nodeLabel(node, held && held.address), kind: node.kind, icon: icon(node.kind)},
        position: Object.assign({}, layout.at[node.name])});
    }, this);
    doc.links.forEach(function (link, i) {
      // A port name the layout found no room for (a crowded device's, layout.js) is not drawn. A
      // crowded device's link to a leaf in its rows is a bus (cytoscape's taxi edge), drawn from the device.
      const bus = layout.bus && layout.bus[i], flip = !!bus && split(link.a)[0] !== bus.parent;
      const [source, target] = flip ? [link.b, link.a] : [link.a, link.b];
      const [a, pa] = split(source), [b, pb] = split(target);
      const shown = function (end) { return !layout.ports || end in layout.ports; };
      const offset = function (end) { return layout.ports && end in layout.ports ? layout.ports[end].offset : 30; };
      elements.push({group: "edges", classes: bus ? "bus" : "", data: {id: linkId(i), source: this.nodeId[a], target: this.nodeId[b],
        sourceLabel: shown(source) ? pa : "", targetLabel: shown(target) ? pb : "", sourceOffset: offset(source), targetOffset: offset(target),
        width: 3, colour: "#aab", turn: bus ? bus.turn : 0, direction: bus ? bus.direction : "downward"}});
    }, this);
    this.cy = cytoscape({
      container: container, elements: elements, minZoom: 0.2, maxZoom: 3,
      style: [
        {selector: "node", style: {"min-zoomed-font-size": 0, "background-image": "data(icon)", "background-fit": "contain", "background-opacity": 0,
          "shape": "round-rectangle", "width": G.ICON, "height": G.ICON, "label": "data(label)", "text-valign": "bottom",
          "text-halign": "center", "text-wrap": "wrap", "font-size": G.NAME_FONT, "font-family": G.FONT_FAMILY, "text-margin-y": G.NAME_GAP, "color": "#1b2631",
          "text-background-color": "#fff", "text-background-opacity": 0.8, "text-background-padding": G.PAD}},
        {selector: "node.selected-node", style: {"border-width": 3, "border-color": "#f1c40f", "border-opacity": 1}},
        {selector: "node.acting", style: {"underlay-color": "#f7dc6f", "underlay-opacity": 0.6, "underlay-padding": 8}},
        {selector: "edge", style: {"width": "data(width)", "line-color": "data(colour)", "curve-style": "bezier",
          "source-label": "data(sourceLabel)", "target-label": "data(targetLabel)", "source-text-offset": "data(sourceOffset)",
          "target-text-offset": "data(targetOffset)", "font-size": G.PORT_FONT, "font-family": G.FONT_FAMILY, "color": "#555",
          "text-background-color": "#fff", "text-background-opacity": 0.9, "text-background-padding": G.PAD}},
        {selector: "edge.bus", style: {"curve-style": "taxi", "taxi-direction": "data(direction)", "taxi-turn": "data(turn)", "taxi-turn-min-distance": 0}},
        {selector: "edge.flooding", style: {"line-style": "dashed", "line-color": "#e67e22", "width": 5}},
        {selector: "edge.forwarding", style: {"line-color": "#2e86de", "width": 5}},
        {selector: "edge.down", style: {"line-style": "dotted", "line-color": "#c0392b"}},
        {selector: "edge.loop", style: {"underlay-color": "#e74c3c", "underlay-opacity": 0.35, "underlay-padding": 6}},
        {selector: "edge.blocked", style: {"line-style": "dotted", "line-color": "#95a5a6", "width": 3}},
        {selector: "node.packet", style: {"width": "data(w)", "height": "data(h)", "shape": "round-rectangle", "background-color": "data(colour)",
          "background-opacity": 1, "background-image": "none", "border-width": 1, "border-color": "#fff", "label": "data(label)",
          "font-size": G.DOT_FONT, "font-family": G.FONT_FAMILY, "text-valign": "center", "text-halign": "center", "text-margin-y": 0,
          "color": "#fff", "z-index": 10, "events": "no", "text-background-opacity": 0}},
        {selector: "node.packet.current", style: {"border-color": "#f1c40f", "border-width": G.DOT_BORDER}},
        {selector: "node.dropmark", style: {"shape": "round-rectangle", "background-color": "#c0392b", "background-image": "none",
          "background-opacity": 1, "width": 150, "height": 18, "label": "data(label)", "color": "#fff",
          "font-size": 11, "text-valign": "center", "text-margin-y": 0, "events": "no", "z-index": 11,
          "text-background-opacity": 0}},
        {selector: "node.collisionmark", style: {"background-color": "#d35400"}},
        {selector: "node.backoffmark", style: {"background-color": "#7f8c8d", "width": 90}}
      ],
      layout: {name: "preset", padding: 30, animate: false}
    });
    const cy = this.cy;
    const refit = function () {
      cy.resize();
      // Every node in view, however big the network: below the usual least zoom if it must be (a
      // switch with 300 hosts); zooming in then reads the names.
      const drawn = cy.nodes().not(".packet, .dropmark"), box = drawn.boundingBox();
      const fits = Math.min((cy.width() - 60) / Math.max(1, box.w), (cy.height() - 60) / Math.max(1, box.h));
      cy.minZoom(Math.max(0.01, Math.min(0.2, fits)));
      cy.fit(drawn, 30);
    };
    refit();
    requestAnimationFrame(refit);  // again once the page has its final size and the labels are measured
    window.addEventListener("resize", L.debounce(refit, 100));
    this.cy.on("tap", "node", function (event) {
      const name = doc.nodes[Number(event.target.id().slice(1))];
      if (name && viewer.selectNode) viewer.selectNode(name.name);
    });
    const self = this;
    this.packets = {};
    this.routes = L.dict();
    const layoutNow = this.layout, nameOf = L.dict();
    for (const name in this.nodeId) nameOf[this.nodeId[name]] = name;
    this.cy.on("dragfree", "node", function (event) {  // dots ride where the nodes are now
      const name = nameOf[event.target.id()];
      if (name !== undefined) { layoutNow.at[name] = Object.assign({}, event.target.position()); self.routes = L.dict(); }
    });
    viewer.on(function (step, previous, how) { self.draw(step, previous, how); });
  }

  function split(label) { const at = label.lastIndexOf(":"); return [label.slice(0, at), label.slice(at + 1)]; }

  Topology.prototype.edgeOfPort = function (label) {
    const i = this.viewer.run.linkOf[label];
    return i === undefined ? null : this.cy.getElementById(linkId(i));
  };

  /* Where a frame's dot is `frac` of its way from one port to the other, on its link's lane beside
     the wire, clear of the port names and of the nodes' labels (layout.js). Routes are kept until a
     node is dragged elsewhere. */
  Topology.prototype.pointOn = function (fromLabel, toLabel, frac) {
    const link = this.viewer.run.linkOf[fromLabel], key = link + (fromLabel < toLabel ? ">" : "<");
    if (!(key in this.routes)) this.routes[key] = L.dotRoute(this.layout, link, split(fromLabel)[0], split(toLabel)[0], this.measure);
    return L.dotAt(this.routes[key], frac);
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
          const size = L.dotSize(self.measure, frame.protocol);
          node = cy.add({group: "nodes", data: {id: id, colour: L.colour(frame.protocol), label: frame.protocol, w: size.w, h: size.h,
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
          cy.add({group: "nodes", data: {id: "drop" + step, label: "\u2715 " + (run.note(step) || kind)},
            classes: "dropmark", position: {x: at.x, y: at.y - 40}, grabbable: false, selectable: false});
        } else if (kind === "collision" || kind === "late-collision") {
          // A station's collision happens on the hub's medium: mark the hub, and the station backing off.
          const peer = run.peerOf[run.label(step)];
          const hub = peer && run.nodes[ev.node[step]].kind !== "hub" ? cy.getElementById(self.nodeId[split(peer)[0]]) : nodeEl;
          const at = hub.position(), own = nodeEl.position();
          cy.add({group: "nodes", data: {id: "collision" + step, label: "\u2715 " + L.t("collision")}, classes: "dropmark collisionmark",
            position: {x: at.x, y: at.y - 40}, grabbable: false, selectable: false});
          if (hub !== nodeEl) cy.add({group: "nodes", data: {id: "backoff" + step, label: L.t("backing off")}, classes: "dropmark backoffmark",
            position: {x: own.x, y: own.y - 40}, grabbable: false, selectable: false});
        }
      }
      self.drawAddresses(step);
      self.drawLoad(step);
      self.drawLinkState(step);
      self.drawSpanningTree(step);
      self.drawStormLoop(step);
    });
  };

  /* The addresses a leasing host holds once event `step` has happened (a lease bound, expired). */
  Topology.prototype.drawAddresses = function (step) {
    if (!this.leasing.length) return;
    const tables = this.viewer.run.tablesAt(step);
    for (const node of this.leasing) {
      const held = L.ownTable(tables, node.name), element = this.cy.getElementById(this.nodeId[node.name]);
      const label = nodeLabel(node, held && held.address ? held.address : []);
      if (element.data("label") !== label) element.data("label", label);
    }
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
