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
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
})();
