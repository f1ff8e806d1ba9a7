/* Draw ```mermaid blocks. Loaded only on pages that contain one; the source stays readable
   in its <pre> when scripts are off. securityLevel "strict" makes mermaid encode HTML in
   labels and disables click handlers in diagrams. */
(function () {
  "use strict";
  if (!window.mermaid) return;
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
  window.mermaid.run({ querySelector: ".prose pre.mermaid" });
})();
