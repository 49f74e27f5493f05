/* A lab's checks beside the event list (`lanlab lab check --html`): the score, a switch between
   the lab's stages (each a run of its own, carried by the page as its own document), and each
   check of the stage shown with pass/fail, what was found (in the reader's language) and the hint
   (as the teacher wrote it). Choosing a trace or
   question check shows only the events its query selected and goes to the first; the events of
   every failed check are marked in the list. The document's `lab` key is described in
   docs/viewer-format.md; a page without it has no checks panel. */
"use strict";
(function (L) {
  /* The element holding the document to show: the stage the fragment names (#stage=2), else
     the page's first. A lab's page holds stage N's run in lanlab-data-N. */
  L.pageData = function () {
    const stage = Number(L.readFragment().stage);
    return (stage > 1 && document.getElementById("lanlab-data-" + stage)) || document.getElementById("lanlab-data");
  };

  function Checks(viewer, events, box, fragment) {
    const lab = viewer.run.doc.lab, el = L.el, self = this;
    this.viewer = viewer; this.events = events; this.lab = lab; this.chosen = null;
    // Events a failed check selected: marked in the list whichever check is chosen.
    this.failed = new Set();
    for (const check of lab.checks) if (!check.passed && check.events) for (const i of check.events) this.failed.add(i);
    viewer.rowClass = function (i) {
      return (self.failed.has(i) ? " check-failed" : "") + (self.chosen && self.chosen.set.has(i) ? " check-hit" : "");
    };
    viewer.fragmentMore = function () {
      return (lab.stage > 1 ? "&stage=" + lab.stage : "") + (self.chosen ? "&check=" + encodeURIComponent(self.chosen.check.id) : "");
    };

    this.clearButton = el("button", {"data-test": "check-clear", hidden: true, title: L.t("leave the check: every event in the list again"),
      onclick: function () { self.choose(null); }}, ["\u00D7 " + L.t("every event")]);
    const top = el("div", {class: "lab-top"}, [el("div", {class: "lab-head"}, [
      el("strong", {class: "lab-title", text: lab.title + (lab.student ? " \u2014 " + lab.student : "")}),
      el("span", {class: "lab-score", "data-test": "lab-score", text: L.t("score {score}/{total}", {score: lab.score, total: lab.total})}), this.clearButton])]);
    box.appendChild(top);  // stays in view while the checks scroll
    if (lab.stages.length > 1) {
      top.appendChild(el("div", {class: "stages", "data-test": "stages"}, lab.stages.map(function (stage, n) {
        const mark = stage.failed ? "\u2717" : "\u2713";
        return el("button", {class: (n + 1 === lab.stage ? "active" : "") + (stage.failed ? " failing" : ""), "data-stage": n + 1,
          title: L.t("stage {n}: its own run of the network", {n: n + 1}), onclick: function () { self.showStage(n + 1); }},
          [mark + " " + (n + 1) + ". " + stage.name + " " + stage.score + "/" + stage.points]);
      })));
    }
    const briefs = [lab.brief, lab.stage_brief].filter(function (text) { return text && text.trim(); });
    if (briefs.length) {
      box.appendChild(el("details", {class: "lab-brief"}, [el("summary", {text: L.t("brief")})].concat(
        briefs.map(function (text) { return el("pre", {text: text.trim()}); }))));
    }
    this.rows = lab.checks.map(function (check) { return self.row(check); });
    box.appendChild(el("div", {class: "check-list", "data-test": "check-list"}, this.rows));
    const named = lab.checks.find(function (check) { return check.events && check.id === fragment.check; });
    if (named) this.choose(named, true);
    else events.renderedKey = null;  // draw the marks of failed checks
  }

  Checks.prototype.row = function (check) {
    const el = L.el, self = this, verdict = check.passed ? "pass" : "fail";
    const cells = [
      el("span", {class: "mark", text: check.passed ? L.t("PASS") : L.t("FAIL")}),
      el("span", {class: "check-id", text: check.id}),
      el("span", {class: "points", text: check.score + "/" + check.points}),
      // what was found in the reader's language (found_shown, lab/report.py); `found` is the English of --json
      el("div", {class: "found", text: (check.found_shown && check.found_shown[L.language]) || check.found})
    ];
    if (!check.passed && check.hint) cells.push(el("div", {class: "check-hint", text: L.t("hint: {hint}", {hint: check.hint})}));
    if (check.events) {
      const count = check.events.length;
      cells.push(el("button", {class: "check-events", "data-test": "check-events", onclick: function () { self.choose(check); },
        title: L.t("show only the events this check's query selected")},
        [count === 0 ? L.t("no event selected") : count === 1 ? L.t("1 event") : L.t("{count} events", {count: count.toLocaleString("en")})]));
    }
    const row = el("div", {class: "check " + verdict + " " + check.kind, "data-check": check.id}, cells);
    row.check = check;
    return row;
  };

  /* Show only `check`'s events (null: every event again) and go to its first event, unless
     `quiet` (the page's own start, which goes to the event its fragment names). */
  Checks.prototype.choose = function (check, quiet) {
    const events = this.events;
    this.chosen = check ? {check: check, set: new Set(check.events)} : null;
    for (const row of this.rows) row.classList.toggle("chosen", !!check && row.check === check);
    this.clearButton.hidden = !check;
    events.filters = Object.assign({}, events.filters, {only: this.chosen ? this.chosen.set : null});
    events.apply();
    if (quiet) return;
    if (check && check.events.length) this.viewer.go(check.events[0], "check");
    else this.viewer.go(this.viewer.step, "filter");
  };

  /* Another stage is another run: the page opens again on that stage's document. */
  Checks.prototype.showStage = function (number) {
    location.replace(location.href.replace(/#.*$/, "") + "#stage=" + number);
    location.reload();
  };

  L.Checks = Checks;
})(window.lanlab);
