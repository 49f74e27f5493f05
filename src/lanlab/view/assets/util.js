/* lanlab viewer: shared helpers. Every pane is a file adding to window.lanlab; user text is only
   ever put in the page with textContent (never innerHTML), so a node called <script> is shown. */
"use strict";
window.lanlab = window.lanlab || {};
(function (L) {
  L.el = function (tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === "text") node.textContent = value;
        else if (key === "class") node.className = value;
        else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : value);
      }
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  };
  L.svg = function (tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value; else node.setAttribute(key, value);
    }
    return node;
  };
  /* A map from names the run's author chose (nodes, ports): no prototype, so a node called
     __proto__, constructor or toString is a key like any other, not Object's own. */
  L.dict = function () { return Object.create(null); };
  /* A name as the drawing and the ladder show it: at most `most` characters (default 24), the
     rest an ellipsis; the lists, the tables and tooltips keep it whole. */
  L.shownName = function (name, most) {
    const chars = Array.from(String(name)), keep = most || 24;
    return chars.length <= keep ? String(name) : chars.slice(0, keep - 1).join("") + "\u2026";
  };
  L.clear = function (node) { while (node.firstChild) node.removeChild(node.firstChild); return node; };
  L.seconds = function (ns) { return (ns / 1e9).toFixed(6); };
  L.bytesOf = function (base64) {
    const text = atob(base64);
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  };
  L.hex2 = function (n) { return n.toString(16).padStart(2, "0"); };
  // One colour per protocol, the same on links, rows and the ladder.
  const COLOURS = {ARP: "#e67e22", ICMP: "#2e86de", UDP: "#27ae60", TCP: "#8e44ad", STP: "#7f8c8d",
    RSTP: "#7f8c8d", RIP: "#c0392b", RIPv1: "#c0392b", RIPv2: "#c0392b", RARP: "#d35400", DNS: "#16a085", DHCP: "#16a085"};
  L.colour = function (proto) { return COLOURS[proto] || "#555"; };
  L.BACKGROUND = new Set(["STP", "RSTP", "RIP", "RIPv2"]);
  /* The URL fragment (#e=12&proto=ARP) as {e: "12", proto: "ARP"}. */
  L.readFragment = function () {
    const out = L.dict();
    for (const part of location.hash.replace(/^#/, "").split("&")) {
      const [key, value] = part.split("=");
      if (key) out[decoded(key)] = decoded(value || "");
    }
    return out;
  };
  // A hand-edited or cut-off link (#e=%E4%B8) must still open the page: a bad escape is kept as typed.
  function decoded(text) { try { return decodeURIComponent(text); } catch (e) { return text; } }
  /* #e=N as an event index (N - 1), or null when it is not a whole number (#e=abc, #e=1e400). */
  L.eventOfFragment = function (text) {
    if (text === undefined || !/^\s*-?\d{1,15}\s*$/.test(text)) return null;
    return Number(text) - 1;
  };
  L.debounce = function (fn, ms) {
    let timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  };
})(window.lanlab);
