// The copy button for an article's link. Without this script the link is in a
// read-only field the reader can select and copy; the button stays hidden.
(function () {
  "use strict";
  document.querySelectorAll(".share__copy").forEach(function (box) {
    const field = box.querySelector("[data-share-url]");
    const button = box.querySelector("[data-share-copy]");
    const status = box.querySelector("[data-share-status]");
    if (!field || !button) return;
    field.addEventListener("focus", function () { field.select(); });
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async function () {
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = "Link copied";
      } catch (e) {
        field.focus();
        status.textContent = "Press Ctrl+C (⌘C) to copy";
      }
    });
  });
})();
