/* Draw ```mermaid blocks. Loaded only on pages that contain one; the source stays readable
   in its <pre> when scripts are off. securityLevel "strict" makes mermaid encode HTML in
   labels and disables click handlers in diagrams. */
(function () {
  "use strict";
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
})();
