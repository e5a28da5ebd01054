// 公募: keeps the server-rendered count-down to a call's deadline current. Without this file the
// page shows the count-down as it was when the page was served.
(function () {
  "use strict";
  function fill(template, values) {
    return template.replace(/\{(d|h|m)\}/g, function (_, key) { return String(values[key]); });
  }
  function update(element) {
    var deadline = Date.parse(element.getAttribute("data-deadline"));
    if (isNaN(deadline)) { return; }
    var seconds = Math.floor((deadline - Date.now()) / 1000);
    if (seconds <= 0) {
      element.textContent = element.getAttribute("data-closed");
      return;
    }
    var values = {
      d: Math.floor(seconds / 86400),
      h: Math.floor((seconds % 86400) / 3600),
      m: Math.floor((seconds % 3600) / 60)
    };
    var key = values.d ? "data-days" : (values.h ? "data-hours" : "data-minutes");
    if (key === "data-minutes") { values.m = Math.max(values.m, 1); }
    element.textContent = fill(element.getAttribute(key), values);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var elements = document.querySelectorAll("[data-deadline]");
    if (!elements.length) { return; }
    var tick = function () { elements.forEach(update); };
    tick();
    window.setInterval(tick, 30000);
  });
})();
