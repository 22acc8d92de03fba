// Live progress of a send on /desk/sends/<id>/: polls progress.json and updates the counts in
// place. Without JavaScript the page refreshes itself instead (the <noscript> meta refresh).
(function () {
  "use strict";
  var status = document.getElementById("send-status");
  if (!status || status.dataset.live !== "1") return;
  var url = status.dataset.progressUrl;
  var bar = document.getElementById("send-progress");
  var summary = document.getElementById("send-summary");
  var FINISHED = ["sent", "failed", "bounced", "skipped"];

  function show(data) {
    var total = 0;
    var finished = 0;
    Object.keys(data.counts).forEach(function (state) {
      var n = data.counts[state];
      total += n;
      if (FINISHED.indexOf(state) >= 0) finished += n;
      var link = document.querySelector('[data-count="' + state + '"] a');
      if (link) link.textContent = String(n);
    });
    bar.max = Math.max(total, 1);
    bar.value = finished;
    // The sentence comes translated from the page; the script only fills in the numbers.
    var sentence = summary.dataset.template || "%(finished)s of %(total)s finished";
    summary.textContent = sentence
      .replace("%(finished)s", String(finished))
      .replace("%(total)s", String(total));
    status.textContent = data.status_display;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.live) {
          window.setTimeout(poll, 2000);
        } else {
          window.location.reload(); // the final state: its buttons and the recipients' log
        }
      })
      .catch(function () {
        window.setTimeout(poll, 10000); // the server is busy or restarting: try again later
      });
  }

  window.setTimeout(poll, 2000);
})();
