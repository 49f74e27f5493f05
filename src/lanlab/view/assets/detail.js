/* Frame detail pane: one plain sentence saying why the event happened, the layer tree as
   `lanlab decode --verbose` shows it, and the hex dump; pointing at a field lights its bytes,
   pointing at a byte lights its field. A live page's frames come brief (layer names and
   addresses only) and are asked for whole when shown here. */
"use strict";
(function (L) {
  function field(frame, layerName, name) {
    for (const layer of frame ? frame.layers : []) if (layer.layer === layerName) for (const f of layer.fields) if (f[0] === name) return f[1];
    return null;
  }

  /* Why this event happened, in one sentence a student can read, in the page's language (L.t). The
     event's own words (the frame's summary, addresses) come from the run's data as they are, its note
     in the reader's language (run.note); `english`, the note as the run wrote it, is what the logic reads. */
  /* A collision's note without its last clause, what the station does next ("; jam, backing off",
     "; past the slot time: not retried"; "；发送阻塞信号，退避" in Chinese): the sentence says that itself. */
  function firstClauses(note) { return note.replace(/\s*[;\uFF1B][^;\uFF1B]*$/, ""); }

  function why(run, i) {
    const ev = run.doc.events, kind = ev.kind[i], node = run.name(i), port = ev.port[i], english = ev.note[i] || "", note = run.note(i) || "";
    const frame = run.frame(i), nodeKind = ev.node[i] >= 0 ? run.nodes[ev.node[i]].kind : "";
    const dst = field(frame, "Ethernet", "dst"), src = field(frame, "Ethernet", "src");
    const what = frame ? frame.summary : note;
    const words = {node: node, port: port, note: note, what: what, dst: dst, src: src};
    switch (kind) {
      case "tx": return note ? L.t("{node} sends \u201C{what}\u201D out of {port}; it {note}.", words) : L.t("{node} sends \u201C{what}\u201D out of {port}.", words);
      case "rx": return L.t("{node} receives the frame on {port}.", words);
      case "learn": return L.t("{node} learned that {src} is on {port} (the frame's source address came in there).", words);
      case "flood":
        if (nodeKind === "hub") return L.t("{node} repeats the frame out of every other port: a hub has no table, everyone on it hears everything.", words);
        if (dst === "ff:ff:ff:ff:ff:ff") return L.t("flooded: a broadcast goes out of every port but the one it came in on ({note}).", words);
        return L.t("flooded: {node} does not know where {dst} is yet, so it sends a copy out of every other port ({note}).", words);
      case "forward":
        if (nodeKind === "router") return L.t("{node} routes the packet {note} (the longest matching prefix in its routing table).", words);
        return L.t("{node} knows {dst} is on {port}: forwarded out of that port only.", words);
      case "filter": return L.t("filtered: {dst} is on the port the frame came in on, so {node} does not send it anywhere.", words);
      case "deliver": return note ? L.t("{node} accepts it: it is addressed to this host ({note}).", words) : L.t("{node} accepts it: it is addressed to this host.", words);
      case "drop":
        if (/TTL/i.test(english)) return L.t("TTL expired at {node}: the packet is dropped and an ICMP Time Exceeded is sent back.", words);
        return L.t("dropped at {node}: {note}.", words);
      case "collision":
        if (nodeKind === "hub") return L.t("{node} discards a frame damaged by a collision: two stations sent at once on one medium.", words);
        return L.t("{node}'s frame collided {detail} on the hub: it waits a random backoff and sends again (CSMA/CD).",
          {node: node, detail: firstClauses(note)});
      case "late-collision":
        return L.t("{node}'s frame collided {detail} after its first 512 bits: a late collision (the medium is longer than the slot time allows), so the frame is lost, not sent again.",
          {node: node, detail: firstClauses(note)});
      case "storm": return L.t("broadcast storm: {note}", words);
      case "link": return L.t("link change: {note}.", words);
      case "route": return L.t("{node}'s routing table changed: {note}.", words);
      case "stp": return L.t("{node} spanning tree: {note}.", words);
      default: return (node ? node + ": " : "") + (note || kind) + ".";
    }
  }

  function Detail(viewer, container) {
    this.viewer = viewer;
    this.container = container;
    const self = this;
    viewer.on(function (step) { self.draw(step); });
  }

  Detail.prototype.draw = function (step) {
    const run = this.viewer.run, el = L.el;
    const frameIndex = step >= 0 ? run.doc.events.frame[step] : -1;
    if (step >= 0 && frameIndex >= 0 && frameIndex === this.shownFrame) {  // the same frame: only the sentence changes
      this.container.querySelector(".why").textContent = why(run, step);
      return;
    }
    this.shownFrame = frameIndex;
    const box = L.clear(this.container);
    if (step < 0) { box.appendChild(el("p", {class: "hint", text: L.t("Step forward (\u2192) or click an event to see its frame.")})); return; }
    box.appendChild(el("p", {class: "why", "data-test": "why", text: why(run, step)}));
    const frame = run.frame(step);
    if (!frame) return;
    if (frame.brief) {  // a live run sends frames brief: the server sends this one whole when asked (live.js)
      box.appendChild(el("p", {class: "hint", "data-test": "layers-pending", text: L.t("frame {id}: asking the server for its layers\u2026", {id: frame.id})}));
      if (this.viewer.askFrame) this.viewer.askFrame(frameIndex);
      return;
    }
    const bytes = L.bytesOf(frame.bytes);
    const tree = el("div", {class: "tree", "data-test": "layers"});
    const hex = el("div", {class: "hex", "data-test": "hex"});
    const cells = [];
    for (let offset = 0; offset < bytes.length; offset += 16) {
      const line = el("div", {class: "hexline"}, [el("span", {class: "offset", text: offset.toString(16).padStart(4, "0")})]);
      for (let j = offset; j < Math.min(offset + 16, bytes.length); j++) {
        const cell = el("span", {class: "byte", "data-offset": j, text: L.hex2(bytes[j])});
        cells.push(cell);
        line.appendChild(cell);
      }
      hex.appendChild(line);
    }
    const fieldRows = [];
    function light(start, end, row) {
      for (const c of cells) c.classList.remove("lit");
      for (const r of fieldRows) r.classList.remove("lit");
      for (let j = start; j < end && j < cells.length; j++) cells[j].classList.add("lit");
      if (row) row.classList.add("lit");
    }
    for (const layer of frame.layers) {
      const details = el("details", {open: true}, [el("summary", {text: L.t("{layer}  (bytes {first}\u2013{last})", {layer: layer.layer, first: layer.start, last: layer.end - 1})})]);
      for (const [name, text, start, end] of layer.fields) {
        const row = el("div", {class: "field", "data-field": layer.layer + "." + name}, [el("span", {class: "fname", text: name + ": "}), el("span", {text: text})]);
        row.dataset.start = start; row.dataset.end = end;
        row.addEventListener("mouseenter", function () { light(start, end, row); });
        row.addEventListener("click", function () { light(start, end, row); });
        fieldRows.push(row);
        details.appendChild(row);
      }
      tree.appendChild(details);
    }
    hex.addEventListener("mouseover", function (event) {
      const offset = Number(event.target.dataset && event.target.dataset.offset);
      if (isNaN(offset)) return;
      // The innermost field covering the byte (the last declared one that spans it).
      let best = null;
      for (const row of fieldRows) if (offset >= Number(row.dataset.start) && offset < Number(row.dataset.end)) best = row;
      if (best) light(Number(best.dataset.start), Number(best.dataset.end), best);
    });
    box.appendChild(el("p", {class: "framehead", text: L.t("frame {id} \u00B7 {bytes} bytes \u00B7 {src} \u2192 {dst}", {id: frame.id, bytes: bytes.length, src: frame.src, dst: frame.dst})}));
    box.appendChild(el("div", {class: "framebody"}, [tree, hex]));
  };

  L.Detail = Detail;
  L.why = why;
})(window.lanlab);
