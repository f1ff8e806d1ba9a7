/* Draw ```mermaid blocks. Loaded only on pages that contain one; the source stays readable
   in its <pre> when scripts are off. securityLevel "strict" makes mermaid encode HTML in
   labels and disables click handlers in diagrams.

   mermaid itself (3.5 MB of script, seconds of a phone's CPU) is fetched only for a diagram
   the reader is about to see: one in the upper two thirds of the first screen at once; any
   other once the reader scrolls and it comes within a quarter of a screen of the viewport. A
   reader who stays at the top pays nothing for a diagram further down (or one merely peeking
   in at the bottom edge), and a diagram drawn below the fold moves nothing on screen.
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
  var scrolled = false;
  var near = new IntersectionObserver(function (entries) {
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      if (!entry.isIntersecting) continue;
      if (scrolled || entry.boundingClientRect.top < window.innerHeight * 2 / 3) {
        near.disconnect();
        load();
        return;
      }
    }
  }, { rootMargin: "0px 0px 25% 0px" });

  function watch() { blocks.forEach(function (block) { near.observe(block); }); }

  function reading() {
    if (scrolled) return;
    scrolled = true;
    near.disconnect();
    watch();  // observed again: a fresh look at where each diagram is now
  }

  watch();
  window.addEventListener("scroll", reading, { once: true, passive: true });
  window.addEventListener("resize", reading, { once: true });
})();
