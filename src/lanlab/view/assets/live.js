/* Live pane (`lanlab sim serve` only: the document says "live"): the run goes on in the server and
   arrives here over a WebSocket, batch by batch, into the same Run every pane reads. The controls
   send the server the command line's words (`pc1 ping pc3 -c 1`, `link A:p B:q down`); the
   session so far is shown as the `lanlab sim run` command line that replays it. Frames arrive
   brief; the detail pane asks for the one it shows (viewer.askFrame), and it comes whole. */
"use strict";
(function (L) {
  const PACES = [["0.1", L.t("0.1x real time")], ["1", L.t("real time")], ["10", "10x"], ["100", "100x"], ["0", L.t("as fast as it goes")]];
  // What the "send" row does, as `sim run --do` words: FROM and TO are the two chosen nodes.
  const VERBS = [
    ["ping -c 1", "FROM ping TO -c 1"],
    ["traceroute", "FROM traceroute TO"],
    ["udp send", "FROM udp send TO 7 hello"],
    ["udp broadcast", "FROM udp broadcast hello"],
    ["tcp connect", "FROM tcp connect TO 7 --send hello"]
  ];

  /* A node's name or NODE:PORT as one word of a --do text (which is read as a shell reads words):
     quoted when it holds a space, a quote or another character the shell would read otherwise. */
  function quoted(word) { return /^[\p{L}\p{N}_@%+=:,.\/-]+$/u.test(word) ? word : "'" + word.replace(/'/g, "'\"'\"'") + "'"; }
  L.quotedWord = quoted;
  /* The send row's words: the verb's template with FROM and TO (whole words only) as the two nodes. */
  L.sendWords = function (template, from, to) {
    return template.split(" ").map(function (word) { return word === "FROM" ? quoted(from) : word === "TO" ? quoted(to) : word; }).join(" ");
  };
  const cableValue = function (link) { return quoted(link.a) + " " + quoted(link.b); };

  function Live(viewer, panes, container) {
    const el = L.el, self = this, run = viewer.run;
    this.viewer = viewer;
    this.panes = panes;
    this.container = container;
    this.running = false;
    const hosts = run.nodes.filter(function (n) { return n.kind === "host"; }).map(function (n) { return n.name; });
    const targets = run.nodes.filter(function (n) { return n.addresses.length; }).map(function (n) { return n.name; });
    const options = function (values) { return values.map(function (v) { return el("option", {value: v, text: L.shownName(v, 40), title: v}); }); };
    this.runButton = el("button", {"data-test": "live-run", onclick: function () { self.send({op: self.running ? "pause" : "start"}); }}, ["\u25B6 " + L.t("start")]);
    const stepButton = el("button", {"data-test": "live-step", title: L.t("run one simulator event"), onclick: function () { self.send({op: "step"}); }}, [L.t("step")]);
    const pace = el("select", {"data-test": "live-pace", title: L.t("pace of virtual time")}, PACES.map(function (p) { return el("option", {value: p[0], text: p[1]}); }));
    pace.value = "1";
    pace.addEventListener("change", function () { self.send({op: "pace", pace: Number(pace.value)}); });
    this.clock = el("span", {class: "position", "data-test": "live-clock"});
    const from = el("select", {"data-test": "live-from"}, options(hosts));
    const verb = el("select", {"data-test": "live-verb"}, options(VERBS.map(function (v) { return v[0]; })));
    const to = el("select", {"data-test": "live-to"}, options(targets));
    const other = targets.find(function (name) { return name !== from.value; });
    if (other !== undefined) to.value = other;  // not the sender itself, to start with
    const act = el("button", {"data-test": "live-act", onclick: function () {
      const template = VERBS.find(function (v) { return v[0] === verb.value; })[1];
      self.do(L.sendWords(template, from.value, to.value));
    }}, [L.t("send")]);
    const cable = el("select", {"data-test": "live-cable"}, run.doc.links.map(function (l) {
      return el("option", {value: cableValue(l), text: L.shownName(l.a, 30) + " " + L.shownName(l.b, 30), title: l.a + " " + l.b});
    }));
    const pull = el("button", {"data-test": "live-pull", onclick: function () { self.do("link " + cable.value + " down"); }}, [L.t("pull")]);
    const plug = el("button", {"data-test": "live-plug", onclick: function () { self.do("link " + cable.value + " up"); }}, [L.t("plug back")]);
    // Clicking the drawing acts too: a host becomes the sender, a cable the one to pull or plug
    // back, and a node's tables come into view.
    panes.topology.cy.on("tap", "edge", function (event) {
      const link = run.doc.links[Number(event.target.id().replace(/^link/, ""))];
      if (!link) return;
      cable.value = cableValue(link);
      self.answer.textContent = L.t("cable {a} \u2194 {b}: pull it or plug it back", {a: link.a, b: link.b});
    });
    panes.topology.cy.on("tap", "node", function (event) {
      const id = event.target.id(), node = /^n\d+$/.test(id) ? run.nodes[Number(id.slice(1))] : null;
      if (!node) return;
      if (node.kind === "host") from.value = node.name;
      document.querySelector('[data-test="tab-tables"]').click();  // redraws the tables: looked up after
      const tables = document.querySelector(["mac", "route", "stp", "arp"].map(function (t) { return '[data-test="' + CSS.escape(t + "-" + node.name) + '"]'; }).join(", "));
      const pane = document.getElementById("tables");  // scrolled within itself: the page stays under the pointer
      if (tables) pane.scrollTop = tables.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    });
    this.words = el("input", {type: "text", class: "words", "data-test": "live-do", placeholder: /* as typed */ "pc1 ping pc3 -c 1   " + L.t("(the words of sim run --do)")});
    this.words.addEventListener("keydown", function (event) { if (event.key === "Enter") self.do(self.words.value); });
    const doButton = el("button", {"data-test": "live-send", onclick: function () { self.do(self.words.value); }}, [L.t("do")]);
    this.answer = el("span", {class: "hint", "data-test": "live-answer"});
    this.commandLine = el("code", {"data-test": "live-command-line"});
    const save = el("a", {href: "run.html" + location.search, download: (run.doc.network || "lanlab") + ".html", "data-test": "live-save-html"}, ["\u2193 " + L.t("run as a page")]);
    container.appendChild(el("div", {class: "controls live", "data-test": "live"}, [this.runButton, stepButton, el("label", {}, [L.t("pace") + " ", pace]), this.clock]));
    container.appendChild(el("div", {class: "controls live"}, [from, verb, to, act, " \u00B7 " + L.t("cable") + " ", cable, pull, plug]));
    container.appendChild(el("div", {class: "controls live"}, [this.words, doButton, this.answer]));
    container.appendChild(el("div", {class: "controls live"}, [L.t("session:") + " ", this.commandLine, " ", save]));
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws" + location.search;
    this.asked = {};  // frame index -> true: asked for whole, the answer not in yet
    viewer.askFrame = function (index) {
      if (self.asked[index] || self.socket.readyState !== WebSocket.OPEN) return;
      self.asked[index] = true;
      self.send({op: "frame", index: index});
    };
    this.socket = new WebSocket(url);
    this.socket.addEventListener("message", function (message) { self.receive(JSON.parse(message.data)); });
    this.socket.addEventListener("close", function () { self.answer.textContent = L.t("the server is gone: the run is frozen here"); });
  }

  Live.prototype.send = function (message) {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  };
  Live.prototype.do = function (text) { if (text.trim()) this.send({op: "do", text: text.trim()}); };

  Live.prototype.receive = function (message) {
    const run = this.viewer.run;
    if (message.type === "document") {  // the run as it is when the socket opened
      this.asked = {};
      Object.assign(run.doc, message.document);
      run.index();
      this.refresh(true);
      this.show(message.state);
      if (message.workspace && !this.build) this.build = new L.Build(this, message.workspace, message.fields || {}, this.container);
    } else if (message.type === "reload") {  // the network was rebuilt: every pane starts again from it
      location.reload();
    } else if (message.type === "batch") {
      const following = this.viewer.step >= run.count - 1;
      run.append(message);
      this.refresh(following);
      this.show(message.state);
    } else if (message.type === "reply" && message.op === "frame") {
      delete this.asked[message.index];
      if (message.ok) run.doc.frames[message.index] = message.frame;
      else this.answer.textContent = "\u26A0 " + message.error;
      const detail = this.panes.detail;
      if (message.ok && run.doc.events.frame[this.viewer.step] === message.index) { detail.shownFrame = null; detail.draw(this.viewer.step); }
    } else if (message.type === "reply" && this.build && this.build.pending && message.op === this.build.pending.op) {
      this.build.answer(message);
    } else if (message.type === "reply") {
      this.answer.textContent = message.ok ? (message.text ? L.t("scheduled: {text}", {text: message.text}) : "") : "\u26A0 " + message.error;
      this.answer.classList.toggle("error", !message.ok);
      if (message.ok && message.op === "do") this.words.value = "";
    }
    document.body.dataset.liveEvents = String(run.count);
  };

  /* New events: every pane's caches of the run are dropped; the step follows the run's end when
     it was there (a user reading an earlier step stays where they are). */
  Live.prototype.refresh = function (follow) {
    const run = this.viewer.run, panes = this.panes;
    panes.topology.linkEvents = null;
    panes.ladder.endsOf = null;
    panes.ladder.pair = null;
    panes.timeline.scrubber.max = String(run.count - 1);
    panes.events.apply();
    this.viewer.go(follow ? run.count - 1 : this.viewer.step, "live");
  };

  Live.prototype.show = function (state) {
    this.running = state.running;
    this.runButton.textContent = state.running ? "\u275A\u275A " + L.t("pause") : "\u25B6 " + L.t("start");
    this.clock.textContent = L.t("sim time {t} s", {t: L.seconds(state.now)}) +
      (state.behind > 0.05 ? " " + L.t("({seconds} s behind)", {seconds: state.behind.toFixed(2)}) : "") +
      (state.stopped ? " \u00B7 " + L.t("stopped") : "");
    this.commandLine.textContent = state.command_line;
  };

  L.Live = Live;
})(window.lanlab);
