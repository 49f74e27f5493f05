/* Puts the panes on the page, links them through one Viewer, and keeps the URL fragment
   (#e=1234) on the event shown so a moment can be shared. */
"use strict";
(function (L) {
  const readFragment = L.readFragment;

  function start() {
    const doc = JSON.parse(L.pageData().textContent);  // a lab's page carries one run per stage (checks.js)
    const el = L.el, app = document.getElementById("app");
    if (doc.format !== 1) { app.appendChild(el("p", {class: "banner", text: L.t("This page holds data of format {format}; this viewer reads format 1.", {format: doc.format})})); return; }
    const viewer = new L.Viewer(doc);
    const topologyBox = el("div", {id: "topology", "data-test": "topology"});
    const timelineBox = el("div", {id: "timeline"});
    const eventsBox = el("div", {id: "events"});
    const detailBox = el("div", {id: "detail", class: "pane"});
    const tablesBox = el("div", {id: "tables", class: "pane", "data-test": "tables"});
    const ladderBox = el("div", {id: "ladder", class: "pane"});
    const programsBox = el("div", {id: "programs", class: "pane"});
    const tabs = {tables: tablesBox, ladder: ladderBox, programs: programsBox};
    const TAB_NAMES = {tables: L.t("tables"), ladder: L.t("ladder"), programs: L.t("programs")};
    const tabButtons = {};
    const tabBar = el("div", {class: "tabs"}, Object.keys(tabs).map(function (name) {
      return tabButtons[name] = el("button", {"data-test": "tab-" + name, onclick: function () { showTab(name); }}, [TAB_NAMES[name]]);
    }));
    function showTab(name) {
      for (const key in tabs) { tabs[key].hidden = key !== name; tabButtons[key].classList.toggle("active", key === name); }
      if (viewer.listeners.length) viewer.go(viewer.step, "tab");
    }
    const domains = el("input", {type: "checkbox", "data-test": "domains"});
    const meta = el("span", {class: "meta", "data-test": "meta"});
    const describe = function () {  // again as a live run grows (sim serve)
      meta.textContent = " \u00B7 " + L.t("{nodes} nodes \u00B7 {links} links \u00B7 {events} events \u00B7 seed {seed} \u00B7 ran to {end} s",
        {nodes: doc.nodes.length, links: doc.links.length, events: doc.events.t.length.toLocaleString("en"), seed: doc.seed, end: L.seconds(doc.end)});
    };
    describe();
    const header = el("header", {}, [
      el("strong", {text: "lanlab"}), " ", el("span", {class: "netname", text: doc.network}), meta,
      el("label", {class: "toggle", title: L.t("shade broadcast domains (nodes) and collision domains (hub links)")}, [domains, " " + L.t("domains")]),
      L.languageSwitch(),
      el("span", {class: "legend"}, ["ARP", "ICMP", "UDP", "TCP", "STP", "RIP"].map(function (p) { return el("span", {style: "color:" + L.colour(p), text: "\u25CF " + p}); }))
    ]);
    app.appendChild(header);
    // why the run stopped, in the reader's language (stopped_shown); `stopped` is its English
    const why = doc.stopped && ((doc.stopped_shown && doc.stopped_shown[L.language]) || doc.stopped);
    if (why) app.appendChild(el("div", {class: "banner", "data-test": "banner", text: "\u26A0 " + L.t("This run did not reach its end: {why}", {why: why})}));
    const liveBox = doc.live ? el("div", {id: "live"}) : null;  // sim serve's controls
    if (liveBox) app.appendChild(liveBox);
    app.appendChild(el("main", {}, [
      el("section", {class: "left"}, [topologyBox, timelineBox]),
      el("section", {class: "right"}, [detailBox, tabBar, tablesBox, ladderBox, programsBox])
    ]));
    const checksBox = doc.lab ? el("section", {id: "checks", "data-test": "checks"}) : null;  // lab check --html
    app.appendChild(checksBox ? el("div", {class: "beside-events"}, [checksBox, eventsBox]) : eventsBox);
    showTab("tables");

    // The timeline first: the topology is laid out for the room the timeline leaves it.
    const timeline = new L.Timeline(viewer, timelineBox);
    const topology = new L.Topology(viewer, topologyBox);
    timeline.attach(topology);
    domains.addEventListener("change", function () { topology.setDomains(domains.checked); });
    const events = new L.Events(viewer, eventsBox);
    const detail = new L.Detail(viewer, detailBox);
    new L.Tables(viewer, tablesBox);
    const ladder = new L.Ladder(viewer, ladderBox);
    new L.Programs(viewer, programsBox);
    viewer.selectNode = function (name) { events.nodeSelect.value = name; events.nodeSelect.dispatchEvent(new Event("change")); };
    viewer.on(L.debounce(function () {
      const fragment = "#e=" + (viewer.step + 1) + (events.filters.proto ? "&proto=" + encodeURIComponent(events.filters.proto) : "") +
        (events.filters.node ? "&node=" + encodeURIComponent(events.filters.node) : "") + (viewer.fragmentMore ? viewer.fragmentMore() : "");
      if (location.hash !== fragment) history.replaceState(null, "", fragment);
    }, 120));
    viewer.onFilter = function () { viewer.go(viewer.step, "filter"); };
    viewer.on(function (step, previous, how) { if (how === "live") describe(); });
    const fragment = readFragment();
    if (fragment.proto) { events.protoSelect.value = fragment.proto; }
    if (fragment.node) { events.nodeSelect.value = fragment.node; }
    if (fragment.proto || fragment.node) events.protoSelect.dispatchEvent(new Event("change"));
    if (checksBox) L.checks = new L.Checks(viewer, events, checksBox, fragment);
    // #e=N: event number N as the list numbers them (1 = the first event; 0 = before it).
    const asked = L.eventOfFragment(fragment.e);  // null: no #e=, or not a number (the page opens at the start)
    viewer.go(asked !== null ? asked : -1);
    window.addEventListener("hashchange", function () { const e = L.eventOfFragment(readFragment().e); if (e !== null && e !== viewer.step) viewer.go(e); });
    if (liveBox) L.live = new L.Live(viewer, {topology: topology, timeline: timeline, events: events, ladder: ladder, detail: detail}, liveBox);
    L.viewer = viewer; L.topology = topology; L.timeline = timeline; L.events = events;
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})(window.lanlab);
