/* The page in the reader's language. L.t(text, {name: value}) looks the English text up in the
   catalogue page.py wrote into the page (view/catalogue.py: the entries of lanlab's .po these
   scripts ask for; nothing is fetched) and fills its {name} places. The language is the reader's
   last choice on this machine (the header's switch, kept in localStorage), else the one the page
   was written in (`lanlab --lang`, the page's <html lang>). */
"use strict";
(function (L) {
  const KEY = "lanlab-lang";
  const LANGUAGES = {en: "English", zh: "\u4E2D\u6587"};
  let catalogue = {};
  try { catalogue = JSON.parse(document.getElementById("lanlab-i18n").textContent); } catch (e) { catalogue = {}; }

  function chosen() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }  // a sandboxed frame has no storage
  }
  const written = (document.documentElement.lang || "en").indexOf("zh") === 0 ? "zh" : "en";
  L.language = LANGUAGES[chosen()] ? chosen() : written;
  document.documentElement.lang = L.language === "zh" ? "zh-CN" : "en";
  const table = catalogue[L.language] || {};

  L.t = function (text, args) {
    const shown = Object.prototype.hasOwnProperty.call(table, text) ? table[text] : text;
    if (!args) return shown;
    return shown.replace(/\{(\w+)\}/g, function (place, name) { return name in args ? String(args[name]) : place; });
  };

  /* The header's language switch: the choice is kept and the page drawn again in it (the URL's
     #e=... keeps the event shown). */
  L.languageSwitch = function () {
    const select = L.el("select", {"data-test": "language", title: L.t("language")}, Object.keys(LANGUAGES).map(function (word) {
      return L.el("option", {value: word, text: LANGUAGES[word]});
    }));
    select.value = L.language;
    select.addEventListener("change", function () {
      try { localStorage.setItem(KEY, select.value); } catch (e) { /* not kept: this page only */ }
      location.reload();
    });
    return select;
  };
})(window.lanlab);
