/* pcapng writing (src/lanlab/view/assets/pcapng.js): block structure by hand here; the bytes are
   also read back by dpkt and tshark from Python (tests/view/test_js.py). */
"use strict";

function u32(bytes, at) { return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true); }

test("section header, interface in nanoseconds, then one enhanced packet block per frame, each padded to 4", function () {
  const frames = [[1, new Uint8Array([1, 2, 3])], [2 ** 33 + 5, new Uint8Array(60).fill(7)], [0, new Uint8Array(0)]];
  const bytes = lanlab.pcapngBytes(frames), blocks = [];
  for (let at = 0; at < bytes.length;) {
    const type = u32(bytes, at), total = u32(bytes, at + 4);
    assert.equal(total % 4, 0, "block at " + at + " is padded");
    assert.equal(u32(bytes, at + total - 4), total, "trailing length at " + at);
    blocks.push([type, at, total]); at += total;
  }
  assert.deepEqual(blocks.map(function (b) { return b[0]; }), [0x0A0D0D0A, 1, 6, 6, 6]);
  assert.equal(u32(bytes, 8), 0x1A2B3C4D, "byte-order magic");
  frames.forEach(function (frame, k) {
    const at = blocks[2 + k][1], t = u32(bytes, at + 12) * 4294967296 + u32(bytes, at + 16);
    assert.equal(t, frame[0], "time of frame " + k);
    assert.equal(u32(bytes, at + 20), frame[1].length); assert.equal(u32(bytes, at + 24), frame[1].length);
    assert.deepEqual(Array.from(bytes.slice(at + 28, at + 28 + frame[1].length)), Array.from(frame[1]));
  });
});

test("the events captured are the shown transmissions, or each shown frame once when none is a transmission", function () {
  const run = new lanlab.Run(jstest.docs.hub), ev = run.doc.events, all = Array.from({length: run.count}, function (_, i) { return i; });
  assert.deepEqual(lanlab.pcapngEvents(run, all), all.filter(function (i) { return ev.kind[i] === "tx" && ev.frame[i] >= 0; }));
  const received = all.filter(function (i) { return ev.kind[i] === "rx"; }), picked = lanlab.pcapngEvents(run, received);
  assert.ok(picked.length > 0);
  assert.equal(new Set(picked.map(function (i) { return ev.frame[i]; })).size, picked.length, "each frame once");
  assert.equal(picked.length, new Set(received.map(function (i) { return ev.frame[i]; })).size, "every frame received");
});
