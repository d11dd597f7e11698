// The ingest's live progress: poll the upload's status and move the bar; reload the page once
// the ingest finished, so that its run and report link show.
(function () {
  "use strict";
  var section = document.getElementById("ingest-status");
  if (!section) { return; }
  var bar = document.getElementById("ingest-progress");
  var label = document.getElementById("ingest-label");
  function poll() {
    fetch(section.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state === "finished") { window.location.reload(); return; }
        if (status.total) { bar.max = status.total; bar.value = status.done; }
        label.textContent = status.label || "";
        window.setTimeout(poll, 400);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
}());
