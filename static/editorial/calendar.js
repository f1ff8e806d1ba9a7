// Drag a scheduled article, or a due date, to another day of the editorial calendar. Without
// this script each keeps its small "日付を変更" form, which does the same through the same endpoint.
(function () {
  "use strict";
  var root = document.querySelector(".editorial-calendar");
  if (!root) return;
  var urls = { scheduled: root.getAttribute("data-reschedule-url"), due: root.getAttribute("data-due-url") };
  var status = root.querySelector(".calendar-status");
  var dragged = null;

  function csrf() {
    var field = root.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  root.querySelectorAll("[draggable=true]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      event.dataTransfer.setData("text/plain", item.getAttribute("data-article"));
      event.dataTransfer.effectAllowed = "move";
    });
  });
  root.querySelectorAll("td[data-date]").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      if (dragged) { event.preventDefault(); cell.classList.add("calendar-day--drop"); }
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("calendar-day--drop"); });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      cell.classList.remove("calendar-day--drop");
      if (!dragged) return;
      var item = dragged;
      dragged = null;
      var body = new URLSearchParams();
      body.set("article", item.getAttribute("data-article"));
      body.set("date", cell.getAttribute("data-date"));
      var kind = item.getAttribute("data-kind") === "due" ? "due" : "scheduled";
      fetch(urls[kind], {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
        body: body
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok && data.ok, data: data }; });
      }).then(function (result) {
        status.textContent = result.data.message;
        if (result.ok) {
          cell.querySelector("ul").appendChild(item);
          var input = item.querySelector("input[type=date]");
          if (input) input.value = cell.getAttribute("data-date");
        }
      }).catch(function () {
        status.textContent = (kind === "due" ? "締め切り" : "公開予定") +
          "を変更できませんでした。通信を確かめて、もう一度お試しください。";
      });
    });
  });
})();
