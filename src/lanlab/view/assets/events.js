/* Event list pane: the rows of `--trace table`, virtualised (only the rows in view exist, so
   100,000 events scroll smoothly), filtered by protocol, device, port and event kind, with a
   "hide background" switch (STP, RIP) and the count each filter choice would show. */
"use strict";
(function (L) {
  const ROW = 20;

  function Events(viewer, container) {
    this.viewer = viewer;
    const run = viewer.run, ev = run.doc.events, el = L.el, self = this;
    this.filters = Object.assign({}, L.NO_FILTER);
    // An option shows a long name cut (its value, and its tooltip, keep it whole), so a 300-letter name leaves the bar usable.
    const options = function (values) { return values.map(function (v) { return el("option", {value: v, text: L.shownName(v, 40), title: v}); }); };
    const protos = unique(ev.proto), kinds = unique(ev.kind), names = run.nodes.map(function (n) { return n.name; });
    this.protoSelect = el("select", {"data-test": "filter-proto", title: L.t("protocol")}, [el("option", {value: "", text: L.t("every protocol")})].concat(options(protos)));
    this.nodeSelect = el("select", {"data-test": "filter-node", title: L.t("device")}, [el("option", {value: "", text: L.t("every device")})].concat(options(names)));
    this.kindSelect = el("select", {"data-test": "filter-kind", title: L.t("event kind")}, [el("option", {value: "", text: L.t("every event")})].concat(options(kinds)));
    this.portBox = el("input", {type: "text", placeholder: L.t("port"), class: "small", "data-test": "filter-port"});
    this.background = el("input", {type: "checkbox", "data-test": "hide-background"});
    this.countText = el("span", {class: "count", "data-test": "event-count"});
    this.download = el("button", {"data-test": "pcapng", title: L.t("the filtered events' frames as a capture for Wireshark"), onclick: function () { L.downloadPcapng(viewer); }}, ["\u2193 pcapng"]);
    const change = function () {
      self.filters = {proto: self.protoSelect.value, node: self.nodeSelect.value, kind: self.kindSelect.value,
        port: self.portBox.value.trim(), background: self.background.checked, only: self.filters.only};
      self.apply();
      if (viewer.onFilter) viewer.onFilter();
    };
    for (const input of [this.protoSelect, this.nodeSelect, this.kindSelect, this.background]) input.addEventListener("change", change);
    this.portBox.addEventListener("input", L.debounce(change, 150));
    container.appendChild(el("div", {class: "filters"}, [this.protoSelect, this.nodeSelect, this.portBox, this.kindSelect,
      el("label", {title: L.t("hide spanning-tree and RIP chatter")}, [this.background, " " + L.t("hide background")]), this.countText, this.download]));
    container.appendChild(el("div", {class: "row head"}, ["#", L.t("time (s)"), L.t("device"), L.t("port"), L.t("event"), L.t("proto"), L.t("summary")].map(function (h) { return el("span", {text: h}); })));
    this.scroller = el("div", {class: "scroller", "data-test": "event-rows"});
    this.spacer = el("div", {class: "spacer"});
    this.rows = el("div", {class: "rows"});
    this.spacer.appendChild(this.rows);
    this.scroller.appendChild(this.spacer);
    container.appendChild(this.scroller);
    this.scroller.addEventListener("scroll", function () { self.render(); });
    this.rows.addEventListener("click", function (event) {
      const row = event.target.closest(".row");
      if (row) viewer.go(Number(row.dataset.index), "select");
    });
    viewer.on(function (step, previous, how) { if (how !== "select") self.reveal(step); self.render(); });
    this.apply();
  }

  function unique(values) { return Array.from(new Set(values)).filter(function (v) { return v !== null && v !== "-"; }).sort(); }

  Events.prototype.apply = function () {
    const run = this.viewer.run, shown = L.filterEvents(run, this.filters);
    this.shown = shown;
    this.viewer.filtered = shown.length === run.count ? null : shown;
    this.renderedKey = null;
    this.spacer.style.height = (shown.length * ROW) + "px";
    this.countText.textContent = L.t("{shown} of {count} events", {shown: shown.length.toLocaleString("en"), count: run.count.toLocaleString("en")});
    this.updateCounts();
    this.reveal(this.viewer.step);
    this.render();
  };

  /* Each choice of a filter says how many events it would show with the other filters kept. */
  Events.prototype.updateCounts = function () {
    const run = this.viewer.run;
    if (run.count > 200000) return;  // counting costs more than it helps on huge runs
    const tally = L.filterCounts(run, this.filters);
    [[this.protoSelect, tally.proto], [this.nodeSelect, tally.node], [this.kindSelect, tally.kind]].forEach(function (pair) {
      for (const option of pair[0].options) if (option.value) option.textContent = L.shownName(option.value, 40) + " (" + (pair[1][option.value] || 0) + ")";
    });
  };

  Events.prototype.reveal = function (step) {
    if (!this.shown) return;
    const position = lowerBound(this.shown, step);
    if (position >= this.shown.length || this.shown[position] !== step) return;
    const top = position * ROW, view = this.scroller;
    if (top < view.scrollTop || top > view.scrollTop + view.clientHeight - ROW) view.scrollTop = Math.max(0, top - view.clientHeight / 2);
  };

  function lowerBound(list, value) {
    let low = 0, high = list.length;
    while (low < high) { const mid = (low + high) >> 1; if (list[mid] < value) low = mid + 1; else high = mid; }
    return low;
  }

  Events.prototype.render = function () {
    const run = this.viewer.run, ev = run.doc.events, el = L.el, step = this.viewer.step;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW) - 10);
    const last = Math.min(this.shown.length, first + Math.ceil((this.scroller.clientHeight || 400) / ROW) + 20);
    const key = first + "," + last + "," + this.shown.length;
    if (key === this.renderedKey) {  // the rows in place are right: keep them, move the highlight
      for (const row of this.rows.children) row.classList.toggle("current", Number(row.dataset.index) === step);
      return;
    }
    this.renderedKey = key;
    const rows = L.clear(this.rows);
    rows.style.transform = "translateY(" + (first * ROW) + "px)";
    for (let p = first; p < last; p++) {
      const i = this.shown[p];
      const row = el("div", {class: "row" + (i === step ? " current" : "") + (ev.kind[i] === "drop" ? " dropped" : "") + (this.viewer.rowClass ? this.viewer.rowClass(i) : ""), "data-index": i}, [
        el("span", {text: String(i + 1)}), el("span", {text: L.seconds(ev.t[i])}), el("span", {text: run.name(i)}),
        el("span", {text: ev.port[i] || "-"}), el("span", {text: ev.kind[i]}),
        el("span", {class: "proto", text: ev.proto[i], style: "color:" + L.colour(ev.proto[i])}), el("span", {text: run.summary(i)})]);
      rows.appendChild(row);
    }
  };

  L.Events = Events;
})(window.lanlab);
