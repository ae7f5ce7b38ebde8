// "Gift this article" in a dialog, and a copy button for the link. Without this script
// the button is a link to the gift page, whose form shows the link after a POST.
(function () {
  "use strict";

  function panelFrom(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    return doc.querySelector("[data-gift-panel]");
  }

  function enhance(root) {
    const copy = root.querySelector("[data-gift-copy]");
    if (copy) copy.hidden = false;
  }

  async function load(dialog, url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options));
    const panel = panelFrom(await response.text());
    if (!panel) throw new Error("no gift panel in the response");
    dialog.querySelector("[data-gift-body]").replaceChildren(panel);
    enhance(panel);
  }

  function dialogFor() {
    let dialog = document.getElementById("gift-dialog");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "gift-dialog";
    dialog.className = "gift-dialog";
    dialog.setAttribute("aria-labelledby", "gift-title");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "gift-dialog__close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { dialog.close(); });
    const body = document.createElement("div");
    body.setAttribute("data-gift-body", "");
    dialog.append(close, body);
    document.body.append(dialog);
    return dialog;
  }

  document.addEventListener("click", async function (event) {
    const opener = event.target.closest("[data-gift-dialog]");
    if (opener && typeof HTMLDialogElement === "function") {
      event.preventDefault();
      const dialog = dialogFor();
      try {
        await load(dialog, opener.href);
        dialog.showModal();
      } catch (e) {
        window.location.href = opener.href;
      }
      return;
    }
    const copy = event.target.closest("[data-gift-copy]");
    if (copy) {
      const scope = copy.closest("[data-gift-panel]");
      const field = scope.querySelector("[data-gift-link]");
      const status = scope.querySelector("[data-gift-copied]");
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = "Link copied.";
      } catch (e) {
        status.textContent = "Press Ctrl+C (or \u2318C) to copy the selected link.";
      }
    }
  });

  document.addEventListener("submit", async function (event) {
    const form = event.target.closest("[data-gift-form]");
    const dialog = form && form.closest("dialog");
    if (!dialog) return;  // on the gift page itself the form posts normally
    event.preventDefault();
    try {
      await load(dialog, form.action, { method: "POST", body: new FormData(form) });
    } catch (e) {
      form.submit();
    }
  });

  enhance(document);
})();
