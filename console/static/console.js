// Progressive enhancement only: the filters apply as soon as a choice changes.
document.querySelectorAll("#filters select, #filters input[type=checkbox]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
