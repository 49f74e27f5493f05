/* Build pane (`lanlab sim serve`, without --app): add hosts, switches, hubs and routers, cable two
   nodes (by dragging one onto the other, or with the two lists: the next free port of each, named
   as topology files name them), set a node's fields in its kind's form, as they are written in YAML. The server checks each edit with `sim check`'s rules: a mistake is
   shown beside its field and nothing changes; an edit that passes rebuilds the network at 0 s
   (every page reloads it). "save network" downloads the YAML file. */
"use strict";
(function (L) {
  const KINDS = ["host", "switch", "hub", "router"];
  const KEEP = "lanlab-build-node";  // the node being edited, kept across the reload an edit causes

  function Build(live, workspace, fields, container) {
    const el = L.el, self = this;
    this.live = live;
    this.workspace = workspace;
    this.kindFields = fields;  // kind -> its fields in a topology file (sim.build.kinds.NODE_FIELDS)
    this.pending = null;
    const names = Object.keys(workspace.nodes);
    const options = function (values) { return values.map(function (v) { return el("option", {value: v, text: v}); }); };
    const palette = KINDS.map(function (kind) {
      return el("button", {"data-test": "build-add-" + kind, title: L.t("add a {kind}", {kind: kind}), onclick: function () { self.send({op: "add", kind: kind}); }}, ["+ " + kind]);
    });
    const cableA = el("select", {"data-test": "build-cable-a"}, options(names));
    const cableB = el("select", {"data-test": "build-cable-b"}, options(names));
    if (names.length > 1) cableB.value = names[1];
    const cable = el("button", {"data-test": "build-cable", onclick: function () { self.send({op: "cable", a: cableA.value, b: cableB.value}); }}, [L.t("cable")]);
    const netName = el("input", {type: "text", class: "small", "data-test": "build-name", value: workspace.name, title: L.t("the network's name")});
    netName.addEventListener("change", function () { self.send({op: "edit", node: "", field: "name", value: netName.value}); });
    this.nodeSelect = el("select", {"data-test": "build-node"}, options(names));
    const kept = sessionStorage.getItem(KEEP);
    if (kept && names.indexOf(kept) >= 0) this.nodeSelect.value = kept;
    this.nodeSelect.addEventListener("change", function () { sessionStorage.setItem(KEEP, self.nodeSelect.value); self.drawFields(); });
    this.fields = el("span", {class: "fields"});
    this.newField = el("input", {type: "text", class: "small", placeholder: L.t("field"), "data-test": "build-new-field"});
    this.newValue = el("input", {type: "text", placeholder: L.t("value, as in YAML"), "data-test": "build-new-value"});
    const set = el("button", {"data-test": "build-set", onclick: function () { self.edit(self.newField.value.trim(), self.newValue.value); }}, [L.t("set")]);
    const remove = el("button", {"data-test": "build-remove", onclick: function () { if (self.nodeSelect.value) self.send({op: "remove", node: self.nodeSelect.value}); }}, [L.t("remove node")]);
    this.error = el("span", {class: "hint error", "data-test": "build-error"});
    const save = el("a", {href: "network.yaml" + location.search, "data-test": "build-save-yaml"}, ["\u2193 " + L.t("save network (YAML)")]);
    container.appendChild(el("div", {class: "controls live build", "data-test": "build"}, [L.t("build:") + " "].concat(palette, [" \u00B7 ", cableA, cableB, cable, " \u00B7 " + L.t("name") + " ", netName, " ", save])));
    container.appendChild(el("div", {class: "controls live build"}, [L.t("edit") + " ", this.nodeSelect, this.fields, this.newField, this.newValue, set, remove, this.error]));
    this.drawFields();
    this.dragToCable(live.panes.topology);
  }

  /* Drag a node onto another and let go: the two are cabled (next free port of each), and the
     dragged node goes back where it was. Dropped anywhere else, it just moves (the layout). */
  Build.prototype.dragToCable = function (topology) {
    const cy = topology.cy, self = this, nameOf = L.dict();
    for (const name in topology.nodeId) nameOf[topology.nodeId[name]] = name;
    let from = null;
    cy.on("grab", "node", function (event) {
      const node = event.target;
      from = nameOf[node.id()] ? {id: node.id(), position: Object.assign({}, node.position())} : null;
    });
    cy.on("free", "node", function (event) {
      const node = event.target;
      if (!from || from.id !== node.id()) return;
      const at = node.position(), start = from;
      from = null;
      const onto = cy.nodes().filter(function (other) {
        if (other.id() === node.id() || !nameOf[other.id()]) return false;
        const box = other.boundingBox({includeLabels: false});
        return at.x >= box.x1 && at.x <= box.x2 && at.y >= box.y1 && at.y <= box.y2;
      });
      if (!onto.length) return;
      node.position(start.position);
      self.send({op: "cable", a: nameOf[node.id()], b: nameOf[onto[0].id()]});
    });
  };

  /* The chosen node's form: every field its kind has (set ones with their value as the YAML line
     says it, the others empty), one input each, its mistake beside it. */
  Build.prototype.drawFields = function () {
    const el = L.el, self = this, name = this.nodeSelect.value, box = L.clear(this.fields);
    const fields = (Object.prototype.hasOwnProperty.call(this.workspace.nodes, name) && this.workspace.nodes[name]) || {};
    const names = ["kind"].concat(this.kindFields[fields.kind] || []);
    for (const field of Object.keys(fields)) if (names.indexOf(field) < 0) names.push(field);
    for (const field of names) {
      const set = field in fields;
      const text = !set ? "" : typeof fields[field] === "object" ? JSON.stringify(fields[field]) : String(fields[field]);
      if (field === "kind") { box.appendChild(el("span", {class: "meta", text: " " + text + " "})); continue; }
      const input = el("input", {type: "text", value: text, placeholder: set ? "" : L.t("not set"), "data-test": "field-" + name + "-" + field, title: field});
      input.addEventListener("change", function () { self.edit(field, input.value); });
      box.appendChild(el("label", {}, [" " + field + " ", input, el("span", {class: "hint error", "data-test": "error-" + name + "-" + field})]));
    }
  };

  Build.prototype.edit = function (field, value) {
    if (field) this.send({op: "edit", node: this.nodeSelect.value, field: field, value: value});
  };

  Build.prototype.send = function (message) {
    this.pending = message;
    for (const span of this.live.container.querySelectorAll(".build .error")) span.textContent = "";
    this.live.send(message);
  };

  /* A refused edit: each problem beside its field when that field is shown, else in the bar. */
  Build.prototype.answer = function (reply) {
    this.pending = null;
    if (reply.ok) { if (reply.node) sessionStorage.setItem(KEEP, reply.node); return; }  // the reload follows
    const general = [];
    for (const problem of reply.problems || [{message: reply.error}]) {
      const span = problem.node && problem.field ? this.live.container.querySelector('[data-test="error-' + CSS.escape(problem.node + "-" + problem.field) + '"]') : null;
      if (span) span.textContent = "\u26A0 " + problem.message; else general.push(problem.message);
    }
    this.error.textContent = general.length ? "\u26A0 " + general.join("; ") : "";
  };

  L.Build = Build;
})(window.lanlab);
