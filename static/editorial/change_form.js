// The article change page: ask before leaving with unsaved edits. Submitting the article form
// (保存, or a workflow button that saves first) is not leaving.
(function () {
  "use strict";
  // Admin media scripts load in <head>: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  function start() {
    var form = document.getElementById("article_form");
    if (!form) return;
    var dirty = false;
    var submitting = false;
    function mark() { dirty = true; }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    // The single comment box lives outside the form element but belongs to it (form="article_form").
    document.querySelectorAll("[form=article_form]").forEach(function (field) {
      field.addEventListener("input", mark);
    });
    form.addEventListener("submit", function () { submitting = true; });
    titleCounter(form);
    slugSuggestion(form, mark);
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  // The title counts its characters against the limit the server enforces; over the limit it
  // says so (the server refuses the save with a message, nothing is cut).
  function titleCounter(form) {
    var title = form.querySelector("input[name=title][data-max-chars]");
    if (!title) return;
    var limit = parseInt(title.getAttribute("data-max-chars"), 10);
    var counter = document.createElement("span");
    counter.id = "title-counter";
    counter.className = "title-counter";
    counter.setAttribute("aria-live", "polite");
    title.insertAdjacentElement("afterend", counter);
    var described = title.getAttribute("aria-describedby");
    title.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      // Count code points, as the server does (an emoji is one character, not two).
      var count = Array.from(title.value).length;
      var over = count > limit;
      counter.textContent = over
        ? count + " / " + limit + " 文字（" + (count - limit) + " 文字多すぎます）"
        : count + " / " + limit + " 文字";
      counter.classList.toggle("title-counter--over", over);
      title.setAttribute("aria-invalid", over ? "true" : "false");
    }
    title.addEventListener("input", update);
    update();
  }

  // A romaji slug suggestion for a Japanese title: one button fills the slug field with it.
  function slugSuggestion(form, mark) {
    var slug = form.querySelector("input[name=slug][data-suggestion]");
    if (!slug) return;
    var suggestion = slug.getAttribute("data-suggestion");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button slug-suggestion-button";
    button.textContent = "候補を使う（" + suggestion + "）";
    button.addEventListener("click", function () {
      slug.value = suggestion;
      mark();
      slug.focus();
    });
    slug.insertAdjacentElement("afterend", button);
  }
})();
