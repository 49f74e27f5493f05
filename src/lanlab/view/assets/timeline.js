/* Time pane: play/pause, one event back or forward, jump to an event or a time, speed 0.1x to
   10x, and a scrubber over the whole run with markers (commands, link down/up, storms, program
   output, drops). Keys: left/right step, space plays. */
"use strict";
(function (L) {
  const BASE_STEPS_PER_SECOND = 3, MAX_MARKS = 2000;

  /* The speed slider runs from -1 to 1: 10^value, 0.1x to 10x; at 1x three events a second. */
  L.speedOf = function (slider) { return Math.pow(10, Number(slider)); };
  L.speedText = function (speed) { return (speed < 1 ? speed.toFixed(2) : speed.toFixed(1)) + "x"; };
  L.stepMsAt = function (speed) { return 1000 / (BASE_STEPS_PER_SECOND * speed); };

  /* The first event the list shows after `step` (shown: sorted event numbers, or null for all), -1 past the end. */
  L.nextShown = function (shown, step, count) {
    if (!shown) return step + 1 < count ? step + 1 : -1;
    let low = 0, high = shown.length;
    while (low < high) { const mid = (low + high) >> 1; if (shown[mid] <= step) low = mid + 1; else high = mid; }
    return low < shown.length ? shown[low] : -1;
  };

  /* The scrubber's markers, [event, kind, title]: each command at the first event after its time,
     link changes, storms, drops, program output; one of a kind per thousandth of the run, at most
     MAX_MARKS. Where a marker sits along the scrubber, in percent: markerLeft. */
  L.timelineMarks = function (run) {
    const ev = run.doc.events, count = Math.max(1, run.count), marks = [], seen = {};
    function mark(i, kind, title) {
      const slot = kind + Math.round(1000 * i / count);
      if (seen[slot]) return;
      seen[slot] = true;
      marks.push([i, kind, title]);
    }
    for (const c of run.doc.commands) { const i = Math.max(0, run.eventAtTime(c.at) + 1); mark(Math.min(i, count - 1), "command", c.node + " " + c.command); }
    for (let i = 0; i < run.count; i++) {
      const kind = ev.kind[i];
      if (kind === "link") mark(i, "link", run.summary(i));
      else if (kind === "storm") mark(i, "storm", run.summary(i));
      else if (kind === "drop") mark(i, "drop", run.name(i) + ": " + run.note(i));
    }
    for (const program of run.doc.programs) for (const [t, text] of program.output) mark(Math.max(0, run.eventAtTime(t)), "program", program.node + " | " + text);
    return marks.slice(0, MAX_MARKS);
  };
  L.markerLeft = function (i, count) { return 100 * (i + 1) / Math.max(1, count); };

  /* topology: the pane whose frames move at this pace; may come later (attach), so that the
     topology is laid out for its pane's size with the timeline already under it. */
  function Timeline(viewer, container, topology) {
    this.viewer = viewer;
    this.topology = topology || null;
    const run = viewer.run, self = this;
    this.playing = false;
    this.speed = 1;
    const el = L.el;
    this.position = el("span", {class: "position", "data-test": "position"});
    this.playButton = el("button", {title: L.t("play / pause (space)"), "data-test": "play", onclick: function () { self.toggle(); }}, ["\u25B6 " + L.t("play")]);
    const back = el("button", {title: L.t("one event back (\u2190)"), "data-test": "back", onclick: function () { self.pause(); viewer.go(viewer.step - 1, "step"); }}, ["\u25C0 " + L.t("back")]);
    const forward = el("button", {title: L.t("one event forward (\u2192)"), "data-test": "forward", onclick: function () { self.pause(); viewer.go(viewer.step + 1, "step"); }}, [L.t("forward") + " \u25B6"]);
    const first = el("button", {title: L.t("before the first event"), onclick: function () { self.pause(); viewer.go(-1); }}, ["|\u25C0"]);
    const last = el("button", {title: L.t("the last event"), onclick: function () { self.pause(); viewer.go(run.count - 1); }}, ["\u25B6|"]);
    // Event N as the list numbers it (1 = the first; 0 = before it), as #e=N says it; it went to the
    // list's N + 1 (an index), so "go to event 40" showed the row numbered 41.
    const eventBox = el("input", {type: "number", min: 0, max: run.count, placeholder: L.t("event #"), "data-test": "goto-event", class: "small"});
    eventBox.addEventListener("change", function () {
      const asked = L.eventOfFragment(eventBox.value.trim());
      if (asked !== null) { self.pause(); viewer.go(asked); }
    });
    const timeBox = el("input", {type: "text", placeholder: L.t("time (s)"), class: "small", "data-test": "goto-time"});
    timeBox.addEventListener("change", function () {
      const seconds = Number(timeBox.value.trim().replace(/s$/, ""));  // "0.2" or "0.2s"; not a number: nothing moves
      if (timeBox.value.trim() && isFinite(seconds)) { self.pause(); viewer.go(run.eventAtTime(Math.round(seconds * 1e9))); }
    });
    const speed = el("input", {type: "range", min: -1, max: 1, step: 0.05, value: 0, "data-test": "speed", title: L.t("speed")});
    const speedText = el("span", {class: "speed", text: "1.0x"});
    speed.addEventListener("input", function () {
      self.speed = L.speedOf(speed.value);
      speedText.textContent = L.speedText(self.speed);
      if (self.topology) self.topology.stepMs = self.stepMs();
    });
    this.scrubber = el("input", {type: "range", min: -1, max: run.count - 1, step: 1, value: -1, class: "scrubber", "data-test": "scrubber"});
    this.scrubber.addEventListener("input", function () { self.pause(); viewer.go(Number(self.scrubber.value)); });
    this.markers = el("div", {class: "markers"});
    container.appendChild(el("div", {class: "controls"}, [first, back, this.playButton, forward, last,
      el("label", {}, [L.t("speed") + " ", speed, " ", speedText]), eventBox, timeBox, this.position]));
    container.appendChild(el("div", {class: "scrub"}, [this.markers, this.scrubber]));
    this.drawMarkers();
    if (this.topology) this.topology.stepMs = this.stepMs();
    viewer.on(function (step) {
      self.scrubber.value = String(step);
      const t = step >= 0 ? run.doc.events.t[step] : 0;
      self.position.textContent = L.t("event {step} of {count} \u00B7 t = {t} s", {step: step + 1, count: run.count, t: L.seconds(t)});
    });
    document.addEventListener("keydown", function (event) {
      if (event.target.tagName === "INPUT" || event.target.tagName === "SELECT") return;
      if (event.key === "ArrowRight") { self.pause(); viewer.go(viewer.step + 1, "step"); event.preventDefault(); }
      else if (event.key === "ArrowLeft") { self.pause(); viewer.go(viewer.step - 1, "step"); event.preventDefault(); }
      else if (event.key === " ") { self.toggle(); event.preventDefault(); }
    });
  }

  Timeline.prototype.stepMs = function () { return L.stepMsAt(this.speed); };
  Timeline.prototype.attach = function (topology) { this.topology = topology; topology.stepMs = this.stepMs(); };
  Timeline.prototype.toggle = function () { if (this.playing) this.pause(); else this.play(); };
  Timeline.prototype.play = function () {
    const self = this, viewer = this.viewer;
    if (viewer.step >= viewer.run.count - 1) viewer.go(-1);
    this.playing = true;
    this.playButton.textContent = "\u275A\u275A " + L.t("pause");
    (function tick() {
      if (!self.playing) return;
      const next = self.nextShown(viewer.step);
      if (next < 0) { self.pause(); return; }
      viewer.go(next, next === viewer.step + 1 ? "play" : "jump");
      self.timer = setTimeout(tick, self.stepMs());
    })();
  };
  Timeline.prototype.pause = function () {
    this.playing = false;
    clearTimeout(this.timer);
    this.playButton.textContent = "\u25B6 " + L.t("play");
  };
  /* Playing walks the events the list shows (its filters apply). */
  Timeline.prototype.nextShown = function (step) { return L.nextShown(this.viewer.filtered, step, this.viewer.run.count); };

  Timeline.prototype.drawMarkers = function () {
    const run = this.viewer.run, viewer = this.viewer, self = this;
    for (const [i, kind, title] of L.timelineMarks(run)) {
      const tick = L.el("span", {class: "marker " + kind, title: title, style: "left:" + L.markerLeft(i, run.count).toFixed(3) + "%"});
      tick.addEventListener("click", function () { self.pause(); viewer.go(i); });
      this.markers.appendChild(tick);
    }
  };

  L.Timeline = Timeline;
})(window.lanlab);
