/* Starts ReDoc on templates/drf_spectacular/redoc.html from data attributes, without the
   inline script of drf-spectacular's template (the Content-Security-Policy runs none). */
"use strict";

(() => {
  const container = document.getElementById("redoc-container");
  const settings = JSON.parse(container.dataset.settings || "{}");
  Redoc.init(container.dataset.schemaUrl, settings, container);
})();
