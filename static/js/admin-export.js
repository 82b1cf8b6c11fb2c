/* django-import-export's "Select all" toggle on the export page, wired here instead of its
   inline onchange (templates/admin/import_export/export.html); the handler is the package's. */
"use strict";

document.addEventListener("change", (event) => {
  if (event.target.matches(".select-toggle") && typeof onSelectToggleChange === "function") {
    onSelectToggleChange(event);
  }
});
