/* The run's state at any step: tables rebuilt from the document's changes (with a checkpoint
   every CHECKPOINT events so a jump costs at most that many changes), frames in flight, and the
   listeners every pane registers to redraw when the step or the selection changes. */
"use strict";
(function (L) {
  const CHECKPOINT = 2048;

  function clone(value) { return value === null || typeof value !== "object" ? value : JSON.parse(JSON.stringify(value)); }
  /* Tables are keyed by node name: a node may be called __proto__ or toString, so only a table's
     own keys count, and a new one is defined, never assigned (which would set the prototype). */
  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined; }
  function put(object, key, value) {
    Object.defineProperty(object, key, {value: value, writable: true, enumerable: true, configurable: true});
    return value;
  }

  function applyChange(tables, change) {
    const [, node, table, key, row] = change;
    const held = own(tables, node) || put(tables, node, {});
    if (key === null) { held[table] = clone(row); return; }
    const rows = held[table] || (held[table] = []);
    const at = rows.findIndex(function (old) { return old[0] === key; });
    if (row === null) { if (at >= 0) rows.splice(at, 1); }
    else if (at < 0) rows.push(row.slice());
    else rows[at] = row.slice();
  }

  function Run(doc) {
    this.doc = doc;
    this.index();
  }

  /* Everything derived from the document (again after a live batch extended it). */
  Run.prototype.index = function () {
    const doc = this.doc, ev = doc.events;
    this.memo = null;
    this.count = ev.t.length;
    this.nodes = doc.nodes;
    this.changes = doc.tables.changes;
    // changeStart[i]: the first change of event i or later (changes are in event order).
    this.changeStart = new Int32Array(this.count + 1);
    let c = 0;
    for (let i = 0; i <= this.count; i++) {
      while (c < this.changes.length && this.changes[c][0] < i) c++;
      this.changeStart[i] = c;
    }
    this.checkpoints = [];  // tables after events CHECKPOINT*k - 1
    let tables = clone(doc.tables.initial);
    for (let k = 0; k * CHECKPOINT < this.count; k++) {
      this.checkpoints.push(clone(tables));
      const end = this.changeStart[Math.min((k + 1) * CHECKPOINT, this.count)];
      for (let j = this.changeStart[k * CHECKPOINT]; j < end; j++) applyChange(tables, this.changes[j]);
    }
    this.peerOf = L.dict();
    for (const link of doc.links) { this.peerOf[link.a] = link.b; this.peerOf[link.b] = link.a; }
    this.linkOf = L.dict();
    doc.links.forEach(function (link, i) { this.linkOf[link.a] = i; this.linkOf[link.b] = i; }, this);
    this.pairTransmissions();
  };

  /* A live batch (`sim serve`): the events, frames and table changes since the last one, and
     the links' counters, commands and clock as they are now. */
  Run.prototype.append = function (batch) {
    function extend(list, more) { for (const item of more) list.push(item); }  // push(...more) overflows the stack on big batches
    const ev = this.doc.events;
    for (const column in ev) extend(ev[column], batch.events[column]);
    extend(this.doc.frames, batch.frames);
    extend(this.doc.tables.changes, batch.changes);
    this.doc.end = batch.end;
    this.doc.links = batch.links;
    this.doc.commands = batch.commands;
    if (batch.programs) this.doc.programs = batch.programs;  // a program printed or ended: its console whole
    const shown = this.doc.notes_shown || (this.doc.notes_shown = {});
    for (const word in batch.notes_shown || {}) Object.assign(shown[word] || (shown[word] = {}), batch.notes_shown[word]);
    this.index();
  };

  Run.prototype.name = function (i) { const n = this.doc.events.node[i]; return n >= 0 ? this.nodes[n].name : ""; };
  Run.prototype.label = function (i) { return this.name(i) + ":" + this.doc.events.port[i]; };
  Run.prototype.frame = function (i) { const f = this.doc.events.frame[i]; return f >= 0 ? this.doc.frames[f] : null; };
  /* Event i's note in the reader's language (the document's notes_shown, view/catalogue.py); the
     English note stays in doc.events.note, which the panes' own logic reads ("copies to p2, p3"). */
  Run.prototype.note = function (i) {
    const note = this.doc.events.note[i], shown = this.doc.notes_shown && this.doc.notes_shown[L.language];
    return (note && shown && shown[note]) || note;
  };
  Run.prototype.summary = function (i) {
    const frame = this.frame(i), note = this.note(i);
    if (!frame) return note;
    return note ? frame.summary + " (" + note + ")" : frame.summary;
  };

  /* Every hop a frame made on a wire: {tx, from, to, rx}. A hop starts at a tx event, or at a
     hub's "flood" (a hub repeats bit by bit: one event, a hop out of each port it names), and
     ends at the first rx (or collision, or loss) of that frame at the far port; rx -1: never. */
  Run.prototype.pairTransmissions = function () {
    const ev = this.doc.events, n = this.count;
    this.hops = [];
    this.hopsFrom = new Int32Array(n + 1);  // hops[hopsFrom[i]] is the first hop starting at event i or later
    const waiting = new Map();
    const self = this;
    function start(i, label) {
      const peer = self.peerOf[label];
      if (!peer) return;
      const hop = {tx: i, from: label, to: peer, rx: -1};
      self.hops.push(hop);
      const key = ev.frame[i] + "|" + peer;
      if (!waiting.has(key)) waiting.set(key, []);
      waiting.get(key).push(hop);
    }
    for (let i = 0; i < n; i++) {
      this.hopsFrom[i] = this.hops.length;
      const kind = ev.kind[i], frame = ev.frame[i];
      if (frame < 0 || ev.port[i] === null) continue;
      if (kind === "tx") start(i, this.label(i));
      else if (kind === "flood" && ev.node[i] >= 0 && this.nodes[ev.node[i]].kind === "hub") {
        const arriving = waiting.get(frame + "|" + this.label(i));  // a hub records no rx: its flood is the arrival
        if (arriving && arriving.length) arriving.shift().rx = i;
        const note = ev.note[i] || "";
        const ports = note.indexOf("repeated to ") === 0 ? note.slice(12).split(", ") : [];
        for (const port of ports) start(i, this.name(i) + ":" + port);
      } else if (kind === "rx" || kind === "collision" || (kind === "drop" && ev.note[i] === "lost on the link")) {
        const queue = waiting.get(frame + "|" + this.label(i));
        if (queue && queue.length) queue.shift().rx = i;
      }
    }
    this.hopsFrom[n] = this.hops.length;
  };

  /* Frames on the wire once event `step` has happened: [{hop, tx, rx, from, to, frac}], frac counted
     in events so that each step moves them on. */
  Run.prototype.inFlight = function (step, windowSize) {
    const out = [];
    if (step < 0) return out;
    const first = this.hopsFrom[Math.max(0, step - (windowSize || 400))], last = this.hopsFrom[step + 1];
    for (let h = first; h < last; h++) {
      const hop = this.hops[h];
      if (hop.rx >= 0 && hop.rx < step) continue;  // at its arrival step a frame is drawn at the receiver
      if (hop.rx < 0 && step - hop.tx > 6) continue;  // lost, or the run ended first: shown a few steps
      const span = hop.rx >= 0 ? hop.rx - hop.tx : 8;
      out.push({hop: h, tx: hop.tx, rx: hop.rx, from: hop.from, to: hop.to, frac: Math.min(1, (step - hop.tx) / span)});
    }
    return out;
  };

  /* The tables once event i has happened (panes share one copy per step: do not modify it). */
  Run.prototype.tablesAt = function (i) {
    if (this.memo && this.memo.step === i) return this.memo.tables;
    const tables = this.rebuildTables(i);
    this.memo = {step: i, tables: tables};
    return tables;
  };

  Run.prototype.rebuildTables = function (i) {
    if (i < 0) return clone(this.doc.tables.initial);
    const k = Math.floor(i / CHECKPOINT);
    const tables = clone(this.checkpoints[k]);
    const end = this.changeStart[i + 1];
    for (let j = this.changeStart[k * CHECKPOINT]; j < end; j++) applyChange(tables, this.changes[j]);
    return tables;
  };

  /* {node: {table: Set(keys)}} changed by event i ("*" = the whole table). */
  Run.prototype.changedAt = function (i) {
    const out = L.dict();
    if (i < 0) return out;
    for (let j = this.changeStart[i]; j < this.changeStart[i + 1]; j++) {
      const [, node, table, key] = this.changes[j];
      const held = out[node] || (out[node] = L.dict());
      (held[table] || (held[table] = new Set())).add(key === null ? "*" : key);
    }
    return out;
  };

  /* The last event at or before time t (ns). */
  Run.prototype.eventAtTime = function (t) {
    const times = this.doc.events.t;
    let low = 0, high = times.length;
    while (low < high) { const mid = (low + high) >> 1; if (times[mid] <= t) low = mid + 1; else high = mid; }
    return low - 1;
  };

  /* The viewer's state: the step shown, and who wants to hear when it moves. */
  function Viewer(doc) {
    this.run = new Run(doc);
    this.step = -1;
    this.listeners = [];
    this.filtered = null;  // indices of the events the list shows (set by the events pane)
  }
  Viewer.prototype.on = function (fn) { this.listeners.push(fn); };
  Viewer.prototype.go = function (step, how) {
    if (typeof step !== "number" || isNaN(step)) return;  // a box holding no number: stay where we are
    step = Math.max(-1, Math.min(this.run.count - 1, Math.trunc(step)));
    const previous = this.step;
    this.step = step;
    for (const fn of this.listeners) fn(step, previous, how || "jump");
  };

  L.Run = Run;
  L.Viewer = Viewer;
  L.applyChange = applyChange;
  L.ownTable = own;
})(window.lanlab);
