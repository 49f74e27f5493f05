/* Tables pane: every device's MAC table (with ages), ARP cache, routing table (source, metric,
   age) and spanning-tree ports at the step shown, as `--show` prints them; what this step
   changed is highlighted. */
"use strict";
(function (L) {
  // Python prints f"{round(age, 6):.3f}": round to the microsecond first, then to 3 places.
  function age3(ns) { return Number((ns / 1e9).toFixed(6)).toFixed(3); }
  function age1(ns) { return (ns / 1e9).toFixed(1); }

  function Tables(viewer, container) {
    this.viewer = viewer;
    this.container = container;
    const self = this;
    viewer.on(function (step) { self.draw(step); });
  }

  function table(title, columns, rows, changed, testName) {
    const el = L.el;
    const head = el("tr", {}, columns.map(function (c) { return el("th", {text: c}); }));
    const body = rows.map(function (r) {
      return el("tr", {class: r.changed ? "changed" : ""}, r.cells.map(function (c) { return el("td", {text: String(c)}); }));
    });
    return el("table", {class: "devtable" + (changed ? " changed-table" : ""), "data-test": testName},
      [el("caption", {text: title}), el("thead", {}, [head]), el("tbody", {}, body)]);
  }

  Tables.prototype.draw = function (step) {
    if (this.container.hidden) return;  // drawn when its tab is shown
    const run = this.viewer.run, box = L.clear(this.container), el = L.el;
    // Tables saved without record() are those of the run's end at every step: ages are at the end too.
    const t = run.doc.tables.partial ? run.doc.end : step >= 0 ? run.doc.events.t[step] : 0;
    const tables = run.tablesAt(step), changed = run.changedAt(step);
    if (run.doc.tables.partial) box.appendChild(el("p", {class: "hint", text: run.doc.tables.partial}));
    let any = false;
    const order = {router: 0, switch: 1, hub: 2, host: 3};
    const nodes = run.nodes.slice().sort(function (a, b) { return (order[a.kind] ?? 4) - (order[b.kind] ?? 4); });
    for (const node of nodes) {
      const held = L.ownTable(tables, node.name);
      if (!held) continue;
      const marks = changed[node.name] || {};
      const isChanged = function (tableName, key) { const set = marks[tableName]; return !!set && (set.has("*") || set.has(key)); };
      if (held.mac) {
        any = true;
        box.appendChild(table(L.t("{node} MAC table", {node: node.name}), ["MAC", L.t("port"), L.t("age (s)")], held.mac.map(function (r) {
          return {cells: [r[0], r[1], age3(t - r[2])], changed: isChanged("mac", r[0])};
        }), !!marks.mac, "mac-" + node.name));
      }
      if (held.arp && (held.arp.length || node.kind !== "router")) {
        any = true;
        box.appendChild(table(L.t("{node} ARP table", {node: node.name}), ["IP", "MAC", L.t("interface")], held.arp.map(function (r) {
          return {cells: [r[0], r[1], r[2] || "-"], changed: isChanged("arp", r[0])};
        }), !!marks.arp, "arp-" + node.name));
      }
      if (held.route) {
        any = true;
        box.appendChild(table(L.t("{node} routing table", {node: node.name}), [L.t("prefix"), L.t("via"), L.t("interface"), L.t("metric"), L.t("source"), L.t("age (s)")], held.route.map(function (r) {
          return {cells: [r[0], r[1] || "-", r[2] || "-", r[3], r[4], age1(t - r[5])], changed: isChanged("route", r[0])};
        }), !!marks.route, "route-" + node.name));
      }
      if (held.stp) {
        any = true;
        const s = held.stp;
        const caption = L.t("{node} spanning tree ({mode}), ", {node: node.name, mode: s.mode === "rstp" ? "802.1w RSTP" : "802.1D STP"}) +
          (s.is_root ? L.t("this bridge is the root") : L.t("root {root} via {port}, cost {cost}", {root: s.root_id, port: s.root_port, cost: s.root_cost}));
        box.appendChild(table(caption, [L.t("port"), L.t("role"), L.t("state"), L.t("cost"), L.t("designated bridge and port")], s.ports.map(function (p) {
          return {cells: [p.port, p.role, p.state, p.cost, p.designated_bridge + " " + p.designated_port + (p.edge ? " (edge)" : "")], changed: !!marks.stp};
        }), !!marks.stp, "stp-" + node.name));
      }
    }
    if (!any) box.appendChild(el("p", {class: "hint", text: L.t("No device here keeps a table (hubs keep none).")}));
  };

  L.Tables = Tables;
})(window.lanlab);
