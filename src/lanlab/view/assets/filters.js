/* Which events the list shows: the filters (protocol, device, port, event kind, "hide
   background") as plain functions of the run, with no page in them, so tests/view/js can check
   them on their own. The events pane keeps the choices and draws the result. */
"use strict";
(function (L) {
  // only: a Set of event indices (the events a lab's check selected, checks.js), or null
  L.NO_FILTER = {proto: "", node: "", kind: "", port: "", background: false, only: null};

  /* Does event i pass the filters? skip: one filter to leave out ("proto", "node" or "kind"),
     to count what each choice of that filter would show with the others kept. */
  L.eventMatches = function (run, filters, i, skip) {
    const f = filters, ev = run.doc.events;
    if (skip !== "proto" && f.proto && ev.proto[i] !== f.proto && !carries(run, i, f.proto)) return false;
    if (skip !== "node" && f.node && run.name(i) !== f.node) return false;
    if (skip !== "kind" && f.kind && ev.kind[i] !== f.kind) return false;
    if (f.port && ev.port[i] !== f.port) return false;
    if (f.background && L.BACKGROUND.has(ev.proto[i])) return false;
    if (f.only && !f.only.has(i)) return false;
    return true;
  };

  // An ICMP error quotes the packet it answers: "carries" is about the frame's own layers.
  function carries(run, i, proto) {
    const frame = run.frame(i);
    return !!frame && frame.layers.some(function (layer) { return layer.layer === proto; });
  }

  /* The indices of the events that pass, in order. */
  L.filterEvents = function (run, filters) {
    const shown = [];
    for (let i = 0; i < run.count; i++) if (L.eventMatches(run, filters, i)) shown.push(i);
    return shown;
  };

  /* {proto: {ARP: n, ...}, node: {...}, kind: {...}}: how many events each choice of a filter
     would show with the other filters kept (a frame counts for every layer it carries). */
  L.filterCounts = function (run, filters) {
    const ev = run.doc.events, tally = {proto: L.dict(), node: L.dict(), kind: L.dict()};  // node: by the names the run chose
    function add(counts, key) { counts[key] = (counts[key] || 0) + 1; }
    for (let i = 0; i < run.count; i++) {
      if (L.eventMatches(run, filters, i, "proto")) {
        add(tally.proto, ev.proto[i]);
        const frame = run.frame(i);
        if (frame) for (const layer of frame.layers) if (layer.layer !== ev.proto[i]) add(tally.proto, layer.layer);
      }
      if (L.eventMatches(run, filters, i, "node")) add(tally.node, run.name(i));
      if (L.eventMatches(run, filters, i, "kind")) add(tally.kind, ev.kind[i]);
    }
    return tally;
  };
})(window.lanlab);
