/* Programs pane: each --app program's console, its lines appearing at their virtual times. */
"use strict";
(function (L) {
  function Programs(viewer, container) {
    this.viewer = viewer;
    this.container = container;
    const self = this;
    viewer.on(function (step) { self.draw(step); });  // (live, a program's lines come with the batches)
  }
  Programs.prototype.draw = function (step) {
    if (this.container.hidden) return;  // drawn when its tab is shown
    const run = this.viewer.run, el = L.el, box = L.clear(this.container);
    if (!run.doc.programs.length) {
      box.appendChild(el("p", {class: "hint", text: L.t("No programs in this run (sim run --app NODE=FILE.py runs one).")}));
      return;
    }
    // At the last event, the run's end: lines printed after the last frame are still the run's.
    // (Live, a program may print before the run has any event: the end is then now.)
    const t = step === run.count - 1 ? run.doc.end : step < 0 ? -1 : run.doc.events.t[step];
    for (const program of run.doc.programs) {
      const lines = program.output.filter(function (line) { return line[0] <= t; });
      const body = lines.map(function (line) { return el("div", {}, [el("span", {class: "offset", text: "[" + L.seconds(line[0]) + "] "}), line[1]]); });
      box.appendChild(el("div", {class: "console"}, [el("div", {class: "console-title", text: program.node + /* as typed */ " $ python " + program.path})].concat(body)));
    }
  };
  L.Programs = Programs;
})(window.lanlab);
