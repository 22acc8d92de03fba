// The send form on /desk/sends/new/: beside the send time, the same moment in UTC and in
// Myanmar time (UTC+06:30, no daylight saving), so a publisher sees both before confirming.
// Without JavaScript the confirmation step shows both instead.
(function () {
  "use strict";
  var input = document.getElementById("send-at");
  var zone = document.getElementById("send-at-zone");
  var out = document.getElementById("send-at-both");
  if (!input || !zone || !out) return;
  var MYANMAR_OFFSET_MINUTES = 390;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function format(date) {
    return (
      date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) +
      " " + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes())
    );
  }

  function show() {
    var match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(input.value);
    if (!match) {
      out.textContent = "";
      return;
    }
    var asUtc = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5]);
    var offset = zone.value === "UTC" ? 0 : MYANMAR_OFFSET_MINUTES;
    var utc = new Date(asUtc - offset * 60000);
    var local = new Date(utc.getTime() + MYANMAR_OFFSET_MINUTES * 60000);
    out.textContent =
      "= " + format(utc) + " " + out.dataset.utcLabel + " · " +
      format(local) + " " + out.dataset.localLabel;
  }

  input.addEventListener("input", show);
  zone.addEventListener("change", show);
  show();
})();
