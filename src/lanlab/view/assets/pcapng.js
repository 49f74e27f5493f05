/* The events the list shows, as a pcapng capture (one Ethernet interface, nanosecond times):
   each transmission once, or each distinct frame once when no transmission is shown. */
"use strict";
(function (L) {
  function block(type, body) {
    const padded = (body.length + 3) & ~3, total = 12 + padded;
    const out = new Uint8Array(total), view = new DataView(out.buffer);
    view.setUint32(0, type, true); view.setUint32(4, total, true);
    out.set(body, 8);
    view.setUint32(total - 4, total, true);
    return out;
  }
  function section() {
    const body = new Uint8Array(16), v = new DataView(body.buffer);
    v.setUint32(0, 0x1A2B3C4D, true); v.setUint16(4, 1, true); v.setUint16(6, 0, true);
    v.setInt32(8, -1, true); v.setInt32(12, -1, true);  // section length unknown
    return block(0x0A0D0D0A, body);
  }
  function iface() {
    const body = new Uint8Array(20), v = new DataView(body.buffer);
    v.setUint16(0, 1, true); v.setUint32(4, 0, true);  // LINKTYPE_ETHERNET, no snap length
    v.setUint16(8, 9, true); v.setUint16(10, 1, true); body[12] = 9;  // if_tsresol = 10^-9
    return block(0x00000001, body);  // then opt_endofopt (zeros)
  }
  function packet(t, bytes) {
    const body = new Uint8Array(20 + ((bytes.length + 3) & ~3)), v = new DataView(body.buffer);
    const high = Math.floor(t / 4294967296), low = t - high * 4294967296;
    v.setUint32(0, 0, true); v.setUint32(4, high, true); v.setUint32(8, low, true);
    v.setUint32(12, bytes.length, true); v.setUint32(16, bytes.length, true);
    body.set(bytes, 20);
    return block(0x00000006, body);
  }

  /* A whole capture: the section header, one Ethernet interface in nanoseconds, then one enhanced
     packet block per [t_ns, bytes], in that order (pcapng, draft-ietf-opsawg-pcapng sections 4.1-4.3). */
  L.pcapngBytes = function (packets) {
    const parts = [section(), iface()].concat(packets.map(function (p) { return packet(p[0], p[1]); }));
    const out = new Uint8Array(parts.reduce(function (sum, part) { return sum + part.length; }, 0));
    let at = 0;
    for (const part of parts) { out.set(part, at); at += part.length; }
    return out;
  };

  /* The events to capture among those shown: each transmission once, or each distinct frame once
     when no transmission is shown. */
  L.pcapngEvents = function (run, shown) {
    const ev = run.doc.events;
    const picked = shown.filter(function (i) { return ev.kind[i] === "tx" && ev.frame[i] >= 0; });
    if (picked.length) return picked;
    const seen = new Set();
    return shown.filter(function (i) { const f = ev.frame[i]; if (f < 0 || seen.has(f)) return false; seen.add(f); return true; });
  };

  L.pcapngOf = function (viewer) {
    const run = viewer.run, ev = run.doc.events;
    const shown = viewer.filtered || Array.from({length: run.count}, function (_, i) { return i; });
    const picked = L.pcapngEvents(run, shown);
    const bytes = L.pcapngBytes(picked.map(function (i) { return [ev.t[i], L.bytesOf(run.frame(i).bytes)]; }));
    return {blob: new Blob([bytes], {type: "application/octet-stream"}), count: picked.length};
  };

  L.downloadPcapng = function (viewer) {
    const capture = L.pcapngOf(viewer);
    const link = L.el("a", {href: URL.createObjectURL(capture.blob), download: (viewer.run.doc.network || "lanlab") + ".pcapng"});
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  };
})(window.lanlab);
