/* A tiny test runner for the viewer's script, run in headless Chromium by tests/view/test_js.py
   (no Node): each *.test.js file calls test(name, fn); a failed assert throws, and the results
   (file, name, ok, message) are left in window.jstest.results for pytest to read. */
"use strict";
window.jstest = {file: "", results: [], docs: {}};

function test(name, fn) {
  const file = window.jstest.file;
  try { fn(); window.jstest.results.push({file: file, name: name, ok: true}); }
  catch (error) { window.jstest.results.push({file: file, name: name, ok: false, message: String(error && error.stack || error)}); }
}

// A script that fails to load or run outside test() is a failure too, not a silently smaller run.
window.addEventListener("error", function (event) {
  window.jstest.results.push({file: window.jstest.file, name: "(loading the file)", ok: false, message: String(event.message)});
});

function same(a, b) {
  if (a === b) return true;
  if (a instanceof Set && b instanceof Set) return a.size === b.size && Array.from(a).every(function (v) { return b.has(v); });
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(function (key) { return Object.prototype.hasOwnProperty.call(b, key) && same(a[key], b[key]); });
}

function show(value) {
  return JSON.stringify(value, function (key, v) { return v instanceof Set ? {Set: Array.from(v)} : v; });
}

const assert = {
  ok: function (value, message) { if (!value) throw new Error(message || "expected a true value"); },
  equal: function (actual, expected, message) {
    if (actual !== expected) throw new Error((message ? message + ": " : "") + show(actual) + " !== " + show(expected));
  },
  deepEqual: function (actual, expected, message) {
    if (!same(actual, expected)) throw new Error((message ? message + ": " : "") + show(actual) + " differs from " + show(expected));
  },
};

/* A repeatable pseudo-random sequence (mulberry32), so a failure reproduces. */
function random(seed) {
  return function () {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
