/* Article page enhancements: code copy buttons and the click-to-load YouTube facade.
   Progressive enhancement: without this script code blocks read as they are and the
   facade is a plain link to the video. */
(function () {
  "use strict";

  function announce(region, message) {
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function addCopyButtons() {
    if (!navigator.clipboard) return;
    var blocks = document.querySelectorAll(".prose .code-block");
    if (!blocks.length) return;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    document.body.appendChild(status);
    blocks.forEach(function (block) {
      var code = block.querySelector("pre code") || block.querySelector("pre");
      if (!code) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "code-copy";
      button.textContent = "コピー";
      button.setAttribute("aria-label", "コードをコピー");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.textContent = "コピーしました";
          announce(status, "コードをコピーしました");
          window.setTimeout(function () { button.textContent = "コピー"; }, 2000);
        }, function () {
          announce(status, "コピーできませんでした");
        });
      });
      block.insertBefore(button, block.firstChild);
    });
  }

  function youtubeFacades() {
    document.querySelectorAll(".prose a.youtube-facade").forEach(function (link) {
      var match = /[?&]v=([A-Za-z0-9_-]{11})/.exec(link.getAttribute("href") || "");
      if (!match) return;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var iframe = document.createElement("iframe");
        iframe.src = "https://www.youtube-nocookie.com/embed/" + match[1] + "?autoplay=1";
        iframe.title = "YouTube 動画プレーヤー";
        iframe.width = "480";
        iframe.height = "270";
        iframe.allow = "accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture";
        iframe.setAttribute("allowfullscreen", "");
        iframe.referrerPolicy = "strict-origin-when-cross-origin";
        link.parentNode.replaceChild(iframe, link);
        iframe.focus();
      });
    });
  }

  addCopyButtons();
  youtubeFacades();
})();
