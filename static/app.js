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

// Re-scoring on the portfolio is deliberate: a row's editor opens on demand
// ("Edit scores"); changing a score shows Save and Cancel for that row; only
// Save writes. After the table is swapped back, focus returns to that row.
(function () {
  "use strict";
  var lastChanged = null;
  function actionsFor(select) {
    var form = select.form;
    return form ? form.querySelector(".score-actions") : null;
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-was]")) return;
    var actions = actionsFor(select);
    if (!actions) return;
    var form = select.form;
    var dirty = Array.prototype.some.call(form.elements, function (el) {
      return el.matches("select[data-was]") && el.value !== el.getAttribute("data-was");
    });
    actions.hidden = !dirty;
    select.closest("tr").classList.toggle("dirty", dirty);
    lastChanged = select.id;
  });
  document.addEventListener("reset", function (event) {
    var form = event.target;
    var actions = form.querySelector && form.querySelector(".score-actions");
    if (!actions) return;
    // form="…" selects are not reset by the form: put them back by hand.
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.matches("select[data-was]")) el.value = el.getAttribute("data-was");
    });
    event.preventDefault();
    actions.hidden = true;
    var row = document.getElementById("row-" + form.id.replace("score-", ""));
    if (row) row.classList.remove("dirty");
    if (lastChanged && document.getElementById(lastChanged)) document.getElementById(lastChanged).focus();
  });
  // "Edit scores" fetches the row's editor in place: focus its first score.
  var opening = null;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-edit-scores]");
    if (link) opening = link.closest("tr").id;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (opening) {
      var first = document.querySelector("#" + opening + " select[data-was]");
      opening = null;
      if (first) first.focus();
      return;
    }
    if (!lastChanged) return;
    // Saved: the row shows its new scores; focus goes back to where the person
    // was (the score, if its editor is still open, else the row's Edit link).
    var again = document.getElementById(lastChanged);
    var row = document.getElementById("row-" + lastChanged.split("-")[1]);
    var edit = row && row.querySelector("a[data-edit-scores]");
    if (again) again.focus();
    else if (edit) edit.focus();
    lastChanged = null;
  });
})();

// The re-plan's first step: choosing "Log it now" opens the new release's
// fields, and typing in them chooses it.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!radio.matches || !radio.matches("input[name=release_choice]")) return;
    var details = radio.closest("form") && radio.closest("form").querySelector("details.new-release");
    if (details && radio.value === "new" && radio.checked) {
      details.open = true;
      var first = details.querySelector("input, select, textarea");
      if (first) first.focus();
    }
  });
  document.addEventListener("focusin", function (event) {
    var details = event.target.closest && event.target.closest("details.new-release");
    if (!details || event.target.tagName === "SUMMARY") return;
    var form = details.closest("form");
    var choice = form && form.querySelector("input[name=release_choice][value=new]");
    if (choice && !choice.checked) choice.checked = true;
  });
})();

// "Copy link" beside a link shown once (an invite): shown only where it works.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy]");
  if (!navigator.clipboard) return;
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (!field) return;
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
      }, function () {
        field.select();
        button.textContent = "Press Ctrl+C to copy";
      });
    });
  });
})();
