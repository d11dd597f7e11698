// Pickers apply as soon as one is changed; the button stays for keyboards and no-script use.
document.querySelectorAll("form.picker select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
