// Kyoso: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("is-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // A table wider than its card scrolls inside it; the scrolling box then takes focus and a
    // name (its caption, else the section's heading), so it can be scrolled with the keyboard.
    // Boxes marked up that way in the template (tabindex) are left as they are.
    var wraps = Array.prototype.slice.call(document.querySelectorAll(".table-wrap:not([tabindex])"));
    var nameOf = function (wrap) {
      var caption = wrap.querySelector("caption");
      var section = wrap.closest("section, main");
      var heading = caption || (section && section.querySelector("h1, h2, h3"));
      return (heading && heading.textContent.trim()) || document.title;
    };
    var markScrolling = function () {
      wraps.forEach(function (wrap) {
        if (wrap.scrollWidth > wrap.clientWidth + 1) {
          wrap.setAttribute("tabindex", "0");
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", nameOf(wrap));
        } else if (wrap.getAttribute("role") === "region") {
          wrap.removeAttribute("tabindex");
          wrap.removeAttribute("role");
          wrap.removeAttribute("aria-label");
        }
      });
    };
    markScrolling();
    window.addEventListener("resize", markScrolling);
    // After a failed submit, focus goes to the summary of what to correct (its links lead to
    // each field), so a keyboard or screen-reader user starts there instead of at the top.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
    // Forms that ask before a destructive action: <form data-confirm="...">.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  });
})();
