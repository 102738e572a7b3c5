// 我的导出: while a job is queued or running, ask the server for the jobs' state every two
// seconds and move the progress bars; show the download link or the error when a job ends.
// A file of its own: the Content-Security-Policy forbids inline scripts.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("export-jobs");
  if (!table) {
    return;
  }
  var statusUrl = table.getAttribute("data-status-url");
  var unfinished = function () {
    return table.querySelectorAll('tr[data-state="queued"], tr[data-state="running"]').length > 0;
  };
  var field = function (row, name) {
    return row.querySelector('[data-field="' + name + '"]');
  };

  var update = function (job) {
    var row = document.getElementById("job-" + job.id);
    if (!row) {
      return;
    }
    row.setAttribute("data-state", job.state);
    field(row, "state").textContent = job.state_display;
    var bar = field(row, "progress");
    bar.value = job.state === "done" ? 100 : job.progress;
    bar.textContent = bar.value + "%";
    field(row, "rows").textContent =
      job.rows_total === null ? String(job.rows_written) : job.rows_written + " / " + job.rows_total;
    var link = field(row, "download");
    if (job.download_url) {
      link.href = job.download_url;
      link.hidden = false;
    }
    var error = field(row, "error");
    error.textContent = job.error;
    error.hidden = !job.error;
  };

  var poll = function () {
    if (!unfinished()) {
      return;
    }
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { jobs: [] };
      })
      .then(function (body) {
        body.jobs.forEach(update);
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, 2000);
      });
  };
  window.setTimeout(poll, 1000);
});
