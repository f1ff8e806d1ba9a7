/* Search box suggestions: tags and article titles from /search/suggest/ as the reader types.
   An ARIA combobox with a listbox popup: up/down move through the suggestions, Enter opens
   the one chosen (or searches, when none is), Escape closes the list. Without this script the
   box is a plain search field that submits the form. */
(function () {
  "use strict";

  var KINDS = { tag: "タグ", article: "記事", series: "連載" };
  var DELAY = 150;

  function setUp(form) {
    var input = form.querySelector("input[name=q]");
    var field = form.querySelector(".search-form__field");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !field || !url || !window.fetch) return;

    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "検索候補");
    list.hidden = true;
    field.appendChild(list);

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    field.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var items = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var asked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!items.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function choose(index) {
      var options = list.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(index) {
      var item = items[index];
      if (item) window.location.assign(item.url);
    }

    function show(suggestions) {
      items = suggestions;
      list.textContent = "";
      active = -1;
      suggestions.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.className = "suggestions__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var kind = document.createElement("span");
        kind.className = "suggestions__kind";
        kind.textContent = KINDS[item.kind] || "";
        var label = document.createElement("span");
        label.className = "suggestions__label";
        label.textContent = item.label;
        option.appendChild(kind);
        option.appendChild(label);
        if (item.note) {
          var note = document.createElement("span");
          note.className = "suggestions__note";
          note.textContent = item.note;
          option.appendChild(note);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { go(index); });
        list.appendChild(option);
      });
      if (suggestions.length) {
        open();
        status.textContent = "候補が" + suggestions.length + "件あります。上下キーで選べます。";
      } else {
        close();
        status.textContent = "";
      }
    }

    function ask() {
      var value = input.value.trim();
      if (!value) { show([]); asked = ""; return; }
      if (value === asked) { open(); return; }
      asked = value;
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(value), {
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (data) {
        if (input.value.trim() === value) show(data.suggestions || []);
      }).catch(function () {
        asked = "";  // a refusal (429) or an aborted request: ask again next time
      });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var count = items.length;
      if (event.key === "ArrowDown" || event.key === "Down") {
        event.preventDefault();
        if (list.hidden) { open(); if (!count) ask(); return; }
        if (count) choose(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        event.preventDefault();
        if (list.hidden) { open(); return; }
        if (count) choose(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          go(active);
        }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", function () { close(); });
  }

  function start() {
    document.querySelectorAll("form.search-form[data-suggest-url]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
