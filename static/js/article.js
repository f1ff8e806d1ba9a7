/* Article page enhancements: code copy buttons, the click-to-load YouTube facade, the share
   list's copy link, the table of contents' current section and the reading-progress bar.
   Progressive enhancement: without this script code blocks read as they are, the facade is a
   plain link to the video, the copy link a link to the article, and the TOC plain links. */
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

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      area.remove();
      if (copied) resolve(); else reject(new Error("copy refused"));
    });
  }

  // The share list's 「リンクをコピー」 is a link to the article itself: a click copies the
  // address instead and says so in the visible status line (a polite live region).
  function copyLinks() {
    var status = document.querySelector("[data-copy-status]");
    if (!status) return;
    var timer = null;
    document.querySelectorAll("[data-copy-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        window.clearTimeout(timer);
        copyText(link.href).then(function () {
          status.textContent = "リンクをコピーしました";
        }, function () {
          status.textContent = "コピーできませんでした。アドレス：" + link.href;
        }).then(function () {
          timer = window.setTimeout(function () { status.textContent = ""; }, 6000);
        });
      });
    });
  }

  // The table of contents marks the section being read (aria-current="location"): the last
  // heading above the top quarter of the screen, or, once the article's end is in view, the
  // last heading on screen. Observers fire only when a heading crosses that line: no work per
  // scroll event, and only a colour and a marker change, so nothing moves.
  function tocHighlight() {
    var toc = document.querySelector(".toc");
    if (!toc || !("IntersectionObserver" in window)) return;
    var sections = [];
    toc.querySelectorAll('nav a[href^="#"]').forEach(function (link) {
      var id;
      try { id = decodeURIComponent(link.getAttribute("href").slice(1)); } catch (error) { return; }
      var heading = document.getElementById(id);
      if (heading) sections.push({ link: link, heading: heading });
    });
    if (!sections.length) return;
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
    var current = null;
    var atEnd = false;

    function keepInView(link) {
      if (toc.scrollHeight <= toc.clientHeight) return;  // the TOC scrolls only beside the text
      var box = toc.getBoundingClientRect();
      var item = link.getBoundingClientRect();
      if (item.top >= box.top && item.bottom <= box.bottom) return;
      toc.scrollTo({
        top: toc.scrollTop + item.top - box.top - box.height / 2,
        behavior: reduceMotion.matches ? "auto" : "smooth"
      });
    }

    function update() {
      var line = atEnd ? window.innerHeight : window.innerHeight * 0.25;
      var active = null;
      for (var i = 0; i < sections.length; i++) {
        if (sections[i].heading.getBoundingClientRect().top > line) break;
        active = sections[i];
      }
      if (active === current) return;
      if (current) current.link.removeAttribute("aria-current");
      current = active;
      if (active) {
        active.link.setAttribute("aria-current", "location");
        keepInView(active.link);
      }
    }

    var observer = new IntersectionObserver(update, { rootMargin: "0px 0px -75% 0px" });
    sections.forEach(function (section) { observer.observe(section.heading); });
    var end = document.querySelector(".article__footer");
    if (end) {
      new IntersectionObserver(function (entries) {
        atEnd = entries[entries.length - 1].isIntersecting;
        update();
      }).observe(end);
    }
    update();
  }

  // A thin bar along the top edge: how much of the article's text is behind the reader.
  // Fixed and drawn with a transform, so it never moves the page; decorative, so hidden from
  // screen readers (the TOC already says where they are).
  function readingProgress() {
    var body = document.querySelector(".article__body");
    if (!body) return;
    var track = document.createElement("div");
    track.className = "reading-progress";
    track.setAttribute("aria-hidden", "true");
    var bar = document.createElement("div");
    bar.className = "reading-progress__bar";
    track.appendChild(bar);
    document.body.appendChild(track);
    var pending = false;

    function draw() {
      pending = false;
      var box = body.getBoundingClientRect();
      var distance = box.height - window.innerHeight;
      var done = distance > 0 ? -box.top / distance : (box.bottom <= window.innerHeight ? 1 : 0);
      bar.style.transform = "scaleX(" + Math.min(1, Math.max(0, done)).toFixed(4) + ")";
    }

    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(draw);
    }

    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    draw();
  }

  addCopyButtons();
  youtubeFacades();
  copyLinks();
  tocHighlight();
  readingProgress();
})();
