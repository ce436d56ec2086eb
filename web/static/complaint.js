// Complaint form: suggest filed channels as the reporter types their name.
// The form works without this file: the name alone is matched on the server.
(function () {
  var input = document.getElementById("channel-text");
  var list = document.getElementById("channel-options");
  var hidden = document.getElementById("channel-id");
  var region = document.getElementById("region");
  if (!input || !list || !hidden || !window.fetch) return;
  var byName = {};
  var timer = null;
  function pick() {
    hidden.value = byName[input.value] || "";
  }
  function search() {
    var q = input.value.trim();
    if (q.length < 2) return;
    var url = "/complaint/channels?q=" + encodeURIComponent(q);
    if (region && region.value) url += "&region=" + encodeURIComponent(region.value);
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        list.textContent = "";
        byName = {};
        items.forEach(function (c) {
          var o = document.createElement("option");
          o.value = c.name;
          o.label = c.unit_name;
          list.appendChild(o);
          byName[c.name] = String(c.id);
        });
        pick();
      })
      .catch(function () {});
  }
  input.addEventListener("input", function () {
    pick();
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  input.addEventListener("change", pick);
})();
