// Progressive enhancement for the survey page: saves the answers as the customer goes, so the
// same link resumes where they left off. The form works the same without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  var status = document.getElementById("save-status");
  var timer = null;
  var saving = false;
  var again = false;

  function show(text) {
    if (status) status.textContent = text;
  }

  function save() {
    if (saving) { again = true; return; }
    saving = true;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "save");
    // Not form.action: the buttons named "action" shadow that property.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      show(response.status === 204 && status ? status.getAttribute("data-saved") : "");
    }, function () {
      show("");
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  function later(delay) {
    show("");
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("change", function () { later(250); });
  form.addEventListener("input", function (event) {
    if (event.target && event.target.tagName === "TEXTAREA") later(1200);
  });
  form.addEventListener("submit", function () { clearTimeout(timer); });
})();
