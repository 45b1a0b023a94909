// Progressive enhancement only: the filters apply as soon as a choice changes.
document.querySelectorAll("#filters select, #filters input[type=checkbox]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});

// An import's page reloads its progress every two seconds until the import is done
// (without JS a meta refresh does the same, the whole page at a time).
(function () {
  var section = document.getElementById("import");
  if (!section || section.dataset.done === "true") return;
  var timer = setInterval(function () {
    fetch(location.href, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error(res.status);
      return res.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      ["import", "bad-rows"].forEach(function (id) {
        var now = document.getElementById(id), next = fresh.getElementById(id);
        if (now && next) now.replaceWith(next);
      });
      var s = document.getElementById("import");
      if (s && s.dataset.done === "true") clearInterval(timer);
    }).catch(function () { /* keep the last figures; try again at the next tick */ });
  }, 2000);
})();
