// The layout's small behaviours: the show picker switches on change (its button stays for
// keyboards and for pages without scripts); on a narrow screen the menu starts folded.
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  if (window.matchMedia("(max-width: 800px)").matches) {
    document.querySelectorAll("details.sidebar-toggle").forEach(function (d) { d.open = false; });
  }
})();
