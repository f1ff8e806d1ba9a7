/* Draw ```mermaid blocks. Loaded only on pages that contain one; the source stays readable
   in its <pre> when scripts are off. securityLevel "strict" makes mermaid encode HTML in
   labels and disables click handlers in diagrams.

   mermaid itself (about 3 MB of script, seconds of a phone's CPU) is fetched only when a
   diagram comes within a screen of the viewport: a reader who never gets there never pays for
   it, and the diagram, drawn while still off screen, moves nothing the reader is looking at.
   A page that loads mermaid itself (the writers' guide) is drawn at once. */
(function () {
  "use strict";
  var blocks = document.querySelectorAll(".prose pre.mermaid");
  if (!blocks.length) return;
  var script = document.currentScript;
  var source = script && script.getAttribute("data-mermaid-src");

  function draw() {
    if (!window.mermaid) return;
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    // The dark theme's edge labels (#ccc on #585858) fall just short of 4.5:1; a darker label
    // background keeps them readable.
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: dark ? "dark" : "default",
      themeVariables: dark ? { edgeLabelBackground: "#333333" } : {}
    });
    window.mermaid.run({ querySelector: ".prose pre.mermaid" });
  }

  function load() {
    if (window.mermaid || !source) { draw(); return; }
    var tag = document.createElement("script");
    tag.src = source;
    tag.addEventListener("load", draw);
    document.head.appendChild(tag);
  }

  if (window.mermaid || !("IntersectionObserver" in window)) { load(); return; }
  var observer = new IntersectionObserver(function (entries) {
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].isIntersecting) { observer.disconnect(); load(); return; }
    }
  }, { rootMargin: "100% 0px" });
  blocks.forEach(function (block) { observer.observe(block); });
})();
