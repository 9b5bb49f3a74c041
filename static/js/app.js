// Portal behaviour without inline scripts: CSRF header for htmx, idle countdown and logout screen.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx 4: every request passes through htmx:config:request; state changes carry the CSRF token.
  document.addEventListener("htmx:config:request", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    if (ctx && ctx.request && ctx.request.headers) {
      ctx.request.headers["X-CSRFToken"] = csrfToken();
    }
  });

  var body = document.body;
  var idle = body && parseInt(body.getAttribute("data-idle-seconds") || "", 10);
  if (!idle) { return; }
  var statusUrl = body.getAttribute("data-status-url");
  var loginUrl = body.getAttribute("data-login-url");
  var deadline = Date.now() + idle * 1000;
  var display = document.querySelector("[data-countdown]");

  function leave() {
    // Nothing of the page stays on a shared screen once the session is over.
    document.body.replaceChildren();
    window.location.replace(loginUrl);
  }

  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function checkServer() {
    fetch(statusUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : { remaining: 0 }; })
      .then(function (data) {
        if (data.remaining <= 0) { leave(); } else { deadline = Date.now() + data.remaining * 1000; }
      })
      .catch(function () { /* offline: keep the local countdown */ });
  }

  // Any htmx request the user made counts as activity on the server, so restart the local clock too.
  document.addEventListener("htmx:after:request", function () { deadline = Date.now() + idle * 1000; });

  setInterval(function () {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (display) { display.textContent = format(left); }
    if (left <= 0) { checkServer(); }
    else if (left % 60 === 0) { checkServer(); }
  }, 1000);
})();

// Print buttons (the page itself is the printable document; the print stylesheet hides the controls).
document.addEventListener("click", function (evt) {
  var target = evt.target;
  if (target && target.closest && target.closest("[data-print]")) { window.print(); }
});
