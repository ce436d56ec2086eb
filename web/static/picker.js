// jianfu: pickers for regions, units and channels. An input or select marked
// data-pick="region|unit|channel" keeps its name and submits the same code or
// id as before; this file only puts a search box (and, for regions, a tree
// to expand province → city → county → township) in front of it, fed by the
// caller-scoped JSON API. Without this file the plain box or select works.
(function () {
  "use strict";

  var en = document.documentElement.lang === "en";
  var words = en
    ? { levels: { national: "nation", province: "province", city: "city", county: "county", township: "township", village: "village" },
        none: "Nothing found", loading: "Searching…", remove: "Remove ", expand: "Expand", choose: "Type a name to search" }
    : { levels: { national: "全国", province: "省", city: "市", county: "县区", township: "乡镇街道", village: "村社区" },
        none: "没有找到,请换个名称", loading: "正在查找…", remove: "移除 ", expand: "展开", choose: "输入名称查找" };
  var seq = 0;
  var bases = { region: "/api/v1/regions", unit: "/api/v1/units", channel: "/api/v1/channels" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function getJSON(url, done) {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.setRequestHeader("Accept", "application/json");
    x.onload = function () {
      if (x.status !== 200) return done(null);
      try { done(JSON.parse(x.responseText)); } catch (e) { done(null); }
    };
    x.onerror = function () { done(null); };
    x.send();
  }

  // source answers the items for a kind: {value, label, note, level, path}.
  function item(kind, v) {
    if (kind === "region") return { value: v.code, label: v.name, note: words.levels[v.level] || "", path: v.path, level: v.level };
    if (kind === "unit") return { value: String(v.id), label: v.name, note: v.region_name || "" };
    return { value: String(v.id), label: v.name, note: v.unit_name || "" };
  }

  function search(kind, input, q, done) {
    var url = bases[kind] + "?limit=20&q=" + encodeURIComponent(q);
    var region = input.getAttribute("data-region");
    if (region && kind !== "region") url += "&region=" + encodeURIComponent(region);
    if (kind === "unit" || kind === "region") url += "&sort=name";
    getJSON(url, function (res) {
      var out = [];
      if (res && res.items) {
        for (var i = 0; i < res.items.length; i++) {
          if (res.items[i].disabled) continue;
          out.push(item(kind, res.items[i]));
        }
      }
      done(out, res === null);
    });
  }

  function children(path, done) {
    getJSON("/api/v1/regions?limit=200&parent=" + encodeURIComponent(path), function (res) {
      var out = [];
      if (res && res.items) for (var i = 0; i < res.items.length; i++) out.push(item("region", res.items[i]));
      done(out);
    });
  }

  function enhance(orig) {
    var kind = orig.getAttribute("data-pick");
    var multiple = orig.hasAttribute("data-multiple");
    var id = "pick" + (++seq);
    // The original field stays in the form, hidden, and carries the value.
    var hidden = orig;
    // What the control offered before (a select's options), shown while the box is empty.
    var preset = [];
    var chosen = [];
    var empty = ""; // what is sent when nothing is chosen
    if (orig.tagName === "SELECT") {
      for (var i = 0; i < orig.options.length; i++) {
        var o = orig.options[i];
        if (o.value === "") continue;
        preset.push({ value: o.value, label: o.textContent });
        if (o.selected) chosen.push({ value: o.value, label: o.textContent });
      }
      if (orig.options.length) empty = orig.options[0].value;
      if (orig.required) { orig.required = false; orig.setAttribute("data-required", ""); }
    } else if (orig.value) {
      var vals = orig.value.split(/[,,\s]+/);
      var labels = (orig.getAttribute("data-labels") || "").split("\u001f");
      for (var j = 0; j < vals.length; j++) if (vals[j]) chosen.push({ value: vals[j], label: labels[j] || vals[j] });
    }

    var wrap = el("span", "picker");
    wrap.setAttribute("data-picker", kind);
    var chips = el("span", "chips");
    var box = el("input", orig.className.replace(/\b(mono|short)\b/g, "").trim());
    box.type = "text";
    box.id = orig.id || id + "-box";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", id + "-list");
    box.setAttribute("autocomplete", "off");
    box.placeholder = orig.getAttribute("data-placeholder") || words.choose;
    if (orig.hasAttribute("aria-label")) box.setAttribute("aria-label", orig.getAttribute("aria-label"));
    if (orig.required || orig.hasAttribute("data-required")) box.setAttribute("aria-required", "true");
    var list = el("ul", "picker-list");
    list.id = id + "-list";
    list.setAttribute("role", kind === "region" ? "tree" : "listbox");
    list.hidden = true;
    var status = el("span", "picker-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    var wasRequired = orig.required || orig.hasAttribute("data-required");
    orig.parentNode.insertBefore(wrap, orig);
    wrap.appendChild(chips);
    wrap.appendChild(box);
    wrap.appendChild(list);
    wrap.appendChild(status);
    wrap.appendChild(orig);
    orig.removeAttribute("id");
    orig.required = false;
    if (orig.tagName === "SELECT") orig.hidden = true;
    else orig.type = "hidden";

    var active = null; // the highlighted <li>
    var treeRows = null; // the region tree's top rows, kept with what was expanded
    var timer = 0;
    var picked = false; // the last Enter picked from the list
    var asked = 0;

    function sync() {
      var v = chosen.length ? chosen.map(function (c) { return c.value; }).join(",") : empty;
      if (orig.tagName === "SELECT") {
        // A unit found by searching is not among the options yet.
        var found = false;
        for (var i = 0; i < orig.options.length; i++) if (orig.options[i].value === v) found = true;
        if (!found) {
          var o = document.createElement("option");
          o.value = v;
          o.textContent = chosen.length ? chosen[0].label : "";
          orig.appendChild(o);
        }
      }
      hidden.value = v;
      if (multiple) {
        chips.textContent = "";
        chosen.forEach(function (c, n) {
          var chip = el("span", "chip", c.label);
          var x = el("button", "", "×");
          x.type = "button";
          x.setAttribute("aria-label", words.remove + c.label);
          x.addEventListener("click", function () { chosen.splice(n, 1); sync(); box.focus(); });
          chip.appendChild(x);
          chips.appendChild(chip);
        });
      } else {
        box.value = chosen.length ? chosen[0].label : "";
      }
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function choose(it) {
      if (multiple) {
        for (var i = 0; i < chosen.length; i++) if (chosen[i].value === it.value) { close(); box.value = ""; return; }
        chosen.push(it);
        box.value = "";
      } else {
        chosen = [it];
      }
      sync();
      close();
    }

    function setActive(li) {
      if (active) active.classList.remove("active");
      active = li;
      if (li) {
        li.classList.add("active");
        box.setAttribute("aria-activedescendant", li.id);
        if (li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      setActive(null);
    }

    // row makes one option (or tree item) of the list.
    function row(it, level) {
      var li = el("li", "");
      li.id = id + "-o" + (++seq);
      li.setAttribute("role", kind === "region" ? "treeitem" : "option");
      li._item = it;
      var tree = kind === "region" && level > 0 && it.level !== "village";
      if (tree) {
        li.setAttribute("aria-level", String(level));
        li.setAttribute("aria-expanded", "false");
        var tw = el("span", "twisty", "▸");
        tw.setAttribute("aria-hidden", "true");
        tw.title = words.expand;
        tw.addEventListener("mousedown", function (e) { e.preventDefault(); toggle(li); });
        li.appendChild(tw);
      } else if (kind === "region" && level > 0) {
        li.setAttribute("aria-level", String(level));
      }
      var name = el("span", "name", it.label);
      li.appendChild(name);
      if (it.note) li.appendChild(el("span", "note", it.note));
      (tree ? name : li).addEventListener("mousedown", function (e) {
        e.preventDefault();
        e.stopPropagation();
        choose(it);
      });
      return li;
    }

    function fill(items, level, failed) {
      list.removeAttribute("aria-busy");
      list.textContent = "";
      setActive(null);
      if (!items.length) {
        var none = el("li", "none", failed ? "—" : words.none);
        none.setAttribute("aria-disabled", "true");
        list.appendChild(none);
        status.textContent = words.none;
        return;
      }
      status.textContent = "";
      for (var i = 0; i < items.length; i++) list.appendChild(row(items[i], level));
    }

    function toggle(li) {
      if (li.getAttribute("aria-expanded") === "true") {
        li.setAttribute("aria-expanded", "false");
        if (li._group) li._group.hidden = true;
        return;
      }
      li.setAttribute("aria-expanded", "true");
      if (li._group) { li._group.hidden = false; return; }
      var group = el("ul", "");
      group.setAttribute("role", "group");
      li._group = group;
      li.appendChild(group);
      var lvl = Number(li.getAttribute("aria-level")) + 1;
      children(li._item.path, function (kids) {
        if (!kids.length) { li.removeAttribute("aria-expanded"); li.classList.add("leaf"); return; }
        for (var i = 0; i < kids.length; i++) group.appendChild(row(kids[i], lvl));
      });
    }

    // browse shows what to pick from before anything is typed: the
    // caller's region and what lies under it, or the select's options.
    function browse() {
      if (kind !== "region") {
        if (preset.length) { fill(preset, 0); open(); return; }
        list.textContent = "";
        return;
      }
      var root = orig.getAttribute("data-root") || "";
      var show = function () {
        list.removeAttribute("aria-busy");
        list.textContent = "";
        setActive(null);
        for (var i = 0; i < treeRows.length; i++) list.appendChild(treeRows[i]);
        status.textContent = "";
        open();
      };
      if (treeRows) { show(); return; }
      if (root === "") {
        children("", function (kids) {
          treeRows = [];
          for (var i = 0; i < kids.length; i++) treeRows.push(row(kids[i], 1));
          show();
        });
      } else {
        getJSON("/api/v1/regions/" + encodeURIComponent(root), function (r) {
          if (!r) return;
          var li = row(item("region", r), 1);
          treeRows = [li];
          show();
          toggle(li);
        });
      }
    }

    function visible() {
      var all = list.querySelectorAll("li[role]");
      var out = [];
      for (var i = 0; i < all.length; i++) if (all[i].getClientRects().length) out.push(all[i]);
      return out;
    }

    function ask() {
      var q = box.value.trim();
      if (!q) { browse(); return; }
      var n = ++asked;
      status.textContent = words.loading;
      search(kind, orig, q, function (items, failed) {
        if (n !== asked || box.value.trim() !== q) return;
        fill(items, 0, failed);
        open();
      });
    }

    box.addEventListener("input", function () {
      list.setAttribute("aria-busy", "true");
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    });
    box.addEventListener("focus", function () { if (list.hidden && !box.value) browse(); });
    box.addEventListener("click", function () { if (list.hidden) { if (box.value && !multiple) box.select(); browse(); } });
    box.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (wrap.contains(document.activeElement)) return;
        close();
        if (multiple) { box.value = ""; return; }
        if (!box.value.trim()) { if (chosen.length) { chosen = []; sync(); } return; }
        box.value = chosen.length ? chosen[0].label : "";
      }, 150);
    });
    box.addEventListener("keydown", function (e) {
      var rows = list.hidden ? [] : visible();
      var at = active ? rows.indexOf(active) : -1;
      switch (e.key) {
        case "ArrowDown":
          e.preventDefault();
          if (list.hidden) { ask(); return; }
          setActive(rows[Math.min(at + 1, rows.length - 1)] || null);
          break;
        case "ArrowUp":
          e.preventDefault();
          setActive(rows[Math.max(at - 1, 0)] || null);
          break;
        case "ArrowRight":
          if (!active || !active.hasAttribute("aria-expanded")) return;
          e.preventDefault();
          if (active.getAttribute("aria-expanded") === "false") toggle(active);
          else if (active._group && active._group.firstChild) setActive(active._group.firstChild);
          break;
        case "ArrowLeft":
          if (!active || kind !== "region") return;
          e.preventDefault();
          if (active.getAttribute("aria-expanded") === "true") toggle(active);
          else if (active.parentNode !== list) setActive(active.parentNode.parentNode);
          break;
        case "Enter":
          // With the list open, Enter picks (the first row if none is
          // highlighted) rather than sending the form half-filled.
          if (list.hidden) return;
          e.preventDefault();
          picked = true;
          if (!active) setActive(rows[0] || null);
          if (active && active._item) choose(active._item);
          break;
        case "Escape":
          if (!list.hidden) { e.preventDefault(); close(); }
          break;
      }
    });
    // Some keyboards send Enter's keypress apart from its keydown: the
    // keypress of an Enter that picked must not send the form either.
    box.addEventListener("keypress", function (e) {
      if (e.key === "Enter" && picked) e.preventDefault();
      picked = false;
    });
    // A required pick left empty: say so on the box, not on a hidden field.
    var form = hidden.form;
    if (form && wasRequired) {
      form.addEventListener("submit", function (e) {
        if (!hidden.value) { e.preventDefault(); e.stopImmediatePropagation(); box.focus(); ask(); }
      }, true);
    }
    if (!multiple && chosen.length) box.value = chosen[0].label;
    if (multiple) sync();
    // Values that came without their names (a form shown again after an
    // error): ask for the names.
    chosen.forEach(function (c) {
      if (c.label !== c.value) return;
      getJSON(bases[kind] + "/" + encodeURIComponent(c.value), function (r) {
        if (!r) return;
        c.label = r.name;
        if (multiple) sync();
        else if (chosen[0] === c) box.value = r.name;
      });
    });
  }

  function start() {
    var fallbacks = document.querySelectorAll("[data-picker-fallback]");
    for (var i = 0; i < fallbacks.length; i++) fallbacks[i].hidden = true;
    var all = document.querySelectorAll("[data-pick]");
    for (var j = 0; j < all.length; j++) enhance(all[j]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
