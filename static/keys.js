// Keyboard use: where focus goes after an HTMX swap (and what a screen
// reader hears), and single-key shortcuts with a help overlay on "?".
// Everything here is an extra: every page works without it.
(function () {
  "use strict";

  // ---- After an HTMX swap: focus something sensible, announce the change.
  function live(text) {
    var region = document.getElementById("live");
    if (!region || !text) return;
    region.textContent = "";
    // A fresh text node on the next tick is announced even when it repeats.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function words(el) {
    return (el.textContent || "").replace(/\s+/g, " ").trim();
  }
  function focusOn(el) {
    if (!el.matches("a[href], button, input, select, textarea, [tabindex]")) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus();
  }
  // htmx fires afterSettle on each element it put in the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.target;
    if (!region || !region.querySelector || !document.contains(region)) return;
    var invalid = region.querySelector("[aria-invalid=true]");
    var message = region.querySelector(".error, [role=alert], [role=status], .notice");
    var heading = region.querySelector("h1, h2, h3");
    var field = region.querySelector("input:not([type=hidden]), select, textarea");
    var active = document.activeElement;
    var kept = active && active !== document.body && document.contains(active);
    if (!kept) {
      var target = invalid || message || heading || field;
      if (target) focusOn(target);
    }
    live(message ? words(message) : heading ? words(heading) + ": updated" : "Updated");
  });

  // ---- Shortcuts. Never inside a text field, never with Ctrl, Alt or Cmd.
  var help = document.getElementById("shortcuts");
  if (!help) return; // not logged in: no shortcuts
  var pendingG = 0;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function go(key) {
    var link = document.querySelector('[data-key="' + key + '"]');
    if (link) window.location.assign(link.href);
  }
  function rows() {
    return Array.prototype.filter.call(
      document.querySelectorAll("main table tbody tr"),
      function (row) { return row.offsetParent !== null; }
    );
  }
  function moveRow(step) {
    var all = rows();
    if (!all.length) return;
    var current = document.querySelector("tr.kb-current");
    var at = all.indexOf(current);
    var next = all[Math.min(all.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
    if (current) current.classList.remove("kb-current");
    next.classList.add("kb-current");
    focusOn(next.querySelector("a[href], button, input, select") || next);
    next.scrollIntoView({ block: "nearest" });
  }
  function search() {
    var box = document.querySelector(
      "main input[type=search], main input[name=q], main input[name=keyword]"
    ) || document.querySelector("form.header-search input");
    if (box) { box.focus(); box.select(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || help.open) return;
    var key = event.key;
    if (pendingG && Date.now() - pendingG < 1500 && (key === "i" || key === "j")) {
      pendingG = 0;
      event.preventDefault();
      go("g " + key);
      return;
    }
    pendingG = 0;
    if (key === "?") { event.preventDefault(); help.showModal(); }
    else if (key === "/") { event.preventDefault(); search(); }
    else if (key === "n") { event.preventDefault(); go("n"); }
    else if (key === "g") { pendingG = Date.now(); }
    else if (key === "j") { event.preventDefault(); moveRow(1); }
    else if (key === "k") { event.preventDefault(); moveRow(-1); }
  });
})();
