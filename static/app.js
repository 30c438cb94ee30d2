// Tell the person when an HTMX request was not saved, instead of doing
// nothing: htmx leaves the page (and what was typed) as it was on an error
// answer, so the message only has to say so and when to retry.
(function () {
  "use strict";
  function say(text) {
    var notice = document.getElementById("request-notice");
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = false;
  }
  document.addEventListener("htmx:beforeRequest", function () {
    var notice = document.getElementById("request-notice");
    if (notice) notice.hidden = true;
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 503) {
      say("Not saved yet: Goldfish is busy with other changes. What you typed is still here; try again in a moment.");
    } else if (status === 413) {
      say("Not saved: that is more text than Goldfish accepts at once.");
    } else if (status >= 500) {
      say("Something went wrong on our side and nothing was saved. What you typed is still here.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    say("Goldfish could not be reached, so nothing was saved. What you typed is still here; try again.");
  });
})();
