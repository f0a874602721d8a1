// Tocsin console: progressive enhancement only. Every page reads and every form posts without
// this file; it adds confirmations, copy buttons, live countdowns and the theme switch.
(function () {
  "use strict";

  // Theme: the choice is remembered per browser; without it the system preference applies.
  var root = document.documentElement;
  var saved = window.localStorage && localStorage.getItem("tocsin-theme");
  if (saved === "light" || saved === "dark") root.setAttribute("data-theme", saved);

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function humanSpan(seconds) {
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), r = s % 60;
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + m + "m";
    if (m > 0) return m + "m " + r + "s";
    return r + "s";
  }

  // <time data-countdown datetime="..."> counts down to (or past) its instant.
  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      var left = (at - now) / 1000;
      el.textContent = left >= 0 ? "in " + humanSpan(left) : "overdue by " + humanSpan(left);
      el.classList.toggle("overdue", left < 0);
    });
  }

  onReady(function () {
    var toggle = document.getElementById("theme-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var dark = root.getAttribute("data-theme") === "dark" ||
          (!root.getAttribute("data-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches);
        var next = dark ? "light" : "dark";
        root.setAttribute("data-theme", next);
        if (window.localStorage) localStorage.setItem("tocsin-theme", next);
      });
    }
    tickCountdowns();
    window.setInterval(tickCountdowns, 1000);
  });

  // <form data-confirm="Delete the service Payments?"> asks before it posts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // A typed confirmation (<input data-confirm-typed="payments">) enables its form's submit
  // button only once the name is typed; the server checks the same field.
  document.addEventListener("input", function (event) {
    var input = event.target;
    var expected = input.getAttribute && input.getAttribute("data-confirm-typed");
    if (expected === null || expected === undefined) return;
    var button = input.form && input.form.querySelector("button[type=submit]");
    if (button) button.disabled = input.value.trim() !== expected;
  });

  // <button data-copy="text"> copies its text to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // A schedule timeline (<svg data-fill-form="FORM-ID"> with <rect class="day" data-start
  // data-end> columns): clicking a day, or dragging across days, fills the form's starts_at and
  // ends_at with that range.
  function dayAt(svg, event) {
    var matrix = svg.getScreenCTM && svg.getScreenCTM();
    if (!matrix) return null;
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    var x = point.matrixTransform(matrix.inverse()).x;
    var days = svg.querySelectorAll("rect.day");
    for (var i = 0; i < days.length; i++) {
      var left = parseFloat(days[i].getAttribute("x"));
      if (x >= left && x < left + parseFloat(days[i].getAttribute("width"))) return days[i];
    }
    return null;
  }
  var dragFrom = null;
  document.addEventListener("pointerdown", function (event) {
    var svg = event.target.closest && event.target.closest("svg[data-fill-form]");
    dragFrom = svg ? dayAt(svg, event) : null;
  });
  document.addEventListener("pointerup", function (event) {
    var svg = event.target.closest && event.target.closest("svg[data-fill-form]");
    var form = svg && document.getElementById(svg.getAttribute("data-fill-form"));
    var from = dragFrom, to = svg && dayAt(svg, event);
    dragFrom = null;
    if (!form || !from) return;
    to = to || from;
    if (to.getAttribute("data-start") < from.getAttribute("data-start")) { var t = from; from = to; to = t; }
    form.elements.starts_at.value = from.getAttribute("data-start");
    form.elements.ends_at.value = to.getAttribute("data-end");
    form.elements.starts_at.focus();
  });
})();
