/* The statement editor: growing text boxes, quote rows, live preview, leave-page warning and
   the edit lock's heartbeat. No inline scripts (the CSP allows only 'self'); everything is
   read from data- attributes of #statement-form. Without this file the form still works. */
(function () {
  "use strict";
  var form = document.getElementById("statement-form");
  if (!form) { return; }
  var dirty = false;
  var holdsLock = false;

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Text boxes grow with their text (Burmese titles are long). */
  function grow(box) {
    box.style.height = "auto";
    box.style.height = (box.scrollHeight + 2) + "px";
  }
  function growAll(root) {
    root.querySelectorAll("textarea.grow").forEach(grow);
  }

  /* Quotes: add a row from the language's <template>, remove a row. */
  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-quote]");
    if (add) {
      var code = add.getAttribute("data-add-quote");
      var template = document.getElementById("quote-template-" + code);
      var list = document.getElementById("quotes-" + code);
      list.appendChild(template.content.cloneNode(true));
      var rows = list.querySelectorAll(".quote-row");
      rows[rows.length - 1].querySelector("input").focus();
      changed();
      return;
    }
    var remove = event.target.closest("[data-remove-quote]");
    if (remove) {
      remove.closest(".quote-row").remove();
      changed();
    }
  });

  /* The new-statement page offers only the chosen campaign's asks. */
  var campaign = form.querySelector("select[name=campaign]");
  function filterAsks() {
    if (!campaign) { return; }
    form.querySelectorAll("#choices-asks input[data-campaign]").forEach(function (box) {
      var item = box.closest("div") || box.parentNode;
      var mine = box.getAttribute("data-campaign") === campaign.value;
      item.hidden = !mine;
      if (!mine) { box.checked = false; }
    });
  }
  if (campaign) { campaign.addEventListener("change", filterAsks); filterAsks(); }

  /* Live preview: the server renders the public page's template from the form, debounced. */
  var previewUrl = form.getAttribute("data-preview-url");
  var timer = null;
  var inFlight = null;
  function refreshPreview() {
    if (!previewUrl) { return; }
    var data = new FormData(form);
    var statement = form.getAttribute("data-statement");
    if (statement) { data.append("statement", statement); }
    if (inFlight) { inFlight.abort(); }
    inFlight = new AbortController();
    fetch(previewUrl, {
      method: "POST", body: data, credentials: "same-origin", signal: inFlight.signal,
      headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer) { return; }
      Object.keys(answer.languages).forEach(function (code) {
        var entry = answer.languages[code];
        var pane = document.getElementById("preview-" + code);
        if (pane) { pane.innerHTML = entry.html; }
        var state = document.getElementById("complete-" + code);
        if (state) { state.textContent = entry.text; state.className = entry.css; }
      });
      form.setAttribute("data-previewed", String(Date.now()));
    }).catch(function () { /* aborted or offline: the next change tries again */ });
  }
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 400);
  }

  /* The edit lock: claimed at the first change, renewed while the page is open. */
  var lockUrl = form.getAttribute("data-lock-url");
  var notice = document.getElementById("lock-notice");
  function lock(op) {
    if (!lockUrl) { return; }
    var data = new FormData();
    data.append("op", op);
    data.append("csrfmiddlewaretoken", csrf());
    fetch(lockUrl, {method: "POST", body: data, credentials: "same-origin",
                    headers: {"X-CSRFToken": csrf()}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        holdsLock = !!answer.held;
        if (!answer.held && notice && answer.message) {
          notice.textContent = answer.message;
          notice.hidden = false;
        }
      }).catch(function () {});
  }
  if (lockUrl) {
    var beat = parseInt(form.getAttribute("data-heartbeat"), 10) || 60000;
    setInterval(function () { if (holdsLock) { lock("claim"); } }, beat);
    window.addEventListener("pagehide", function () {
      if (holdsLock && navigator.sendBeacon) {
        var data = new FormData();
        data.append("op", "release");
        data.append("csrfmiddlewaretoken", csrf());
        navigator.sendBeacon(lockUrl, data);
      }
    });
  }

  function changed() {
    if (!dirty) {
      dirty = true;
      var state = document.getElementById("save-state");
      if (state) { state.textContent = form.getAttribute("data-leave-warning"); }
      if (lockUrl && !holdsLock) { lock("claim"); }
    }
    schedulePreview();
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("textarea.grow")) { grow(event.target); }
    changed();
  });
  form.addEventListener("change", changed);

  /* Leaving with unsaved changes asks first; saving does not. */
  form.addEventListener("submit", function () { dirty = false; holdsLock = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = form.getAttribute("data-leave-warning") || "";
      return event.returnValue;
    }
  });

  growAll(form);
})();
