// Posts comments without a reload; the forms work the same without this script.
(function () {
  "use strict";
  document.addEventListener("submit", async function (event) {
    const form = event.target.closest("[data-comment-form]");
    if (!form) return;
    event.preventDefault();
    const error = form.querySelector(".comment-form__error");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json();
      if (!response.ok) {
        if (error) { error.textContent = data.error; error.hidden = false; }
        else { window.alert(data.error); }
        return;
      }
      // Reload the thread at the new comment: the server renders it, sanitised.
      window.location.hash = "comment-" + data.id;
      window.location.reload();
    } catch (e) {
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
})();
