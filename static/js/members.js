// Members app: on the sign-up form, show the "new organisation" fields only when no existing
// organisation is picked. The form works without this file (all fields visible).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-signup-form]");
    if (!form) { return; }
    var select = form.querySelector("select[name=organisation]");
    if (!select) { return; }
    var names = ["new_organisation_name", "new_organisation_kana", "new_organisation_sector",
      "new_organisation_corporate_number"];
    var rows = names.map(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      return input ? input.closest(".form-row") : null;
    }).filter(Boolean);
    function update() {
      var picked = select.value !== "";
      rows.forEach(function (row) {
        var hasError = row.classList.contains("form-row--error");
        row.hidden = picked && !hasError;
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
