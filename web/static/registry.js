// jianfu registry form: shows the fields and platforms of the chosen kind.
// Without this file every field shows and the server checks the platform.
(function () {
  var form = document.getElementById("channel-form");
  if (!form) return;
  var kind = form.querySelector("[name=kind]");
  var platform = document.getElementById("platform");
  function apply() {
    var k = kind.value;
    ["app", "account", "group"].forEach(function (x) {
      form.querySelectorAll(".kind-" + x).forEach(function (el) { el.hidden = x !== k; });
    });
    if (!platform) return;
    platform.querySelectorAll("optgroup").forEach(function (g) {
      var on = g.getAttribute("data-kind") === k;
      g.hidden = !on;
      g.disabled = !on;
    });
    var sel = platform.selectedOptions[0];
    if (sel && sel.parentNode.tagName === "OPTGROUP" && sel.parentNode.disabled) platform.value = "";
  }
  kind.addEventListener("change", apply);
  apply();
})();
