// 年报检索: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    // Search page: ticking a facet or changing the sort submits the form (state stays in the URL).
    var form = document.getElementById("search-form");
    var panel = document.getElementById("facet-panel");
    // On a phone the facets start folded, so the results come first.
    if (panel && window.matchMedia("(max-width: 760px)").matches) panel.open = false;
    if (form) {
      var again = null;
      try { again = sessionStorage.getItem("nb-focus"); sessionStorage.removeItem("nb-focus"); } catch (err) { /* ignore */ }
      if (again) {
        if (panel) panel.open = true;
        var eq = again.indexOf("=");
        var name = again.slice(0, eq), value = again.slice(eq + 1);
        var els = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
        for (var k = 0; k < els.length; k++) {
          if (els[k].value === value || els[k].tagName === "SELECT") { els[k].focus({ preventScroll: false }); break; }
        }
      }
      form.addEventListener("change", function (e) {
        var t = e.target;
        if (t.matches(".facets input[type=checkbox], #sort, #mode input")) {
          // drill-down: unticking a province drops its cities and counties too
          if (t.name === "province" && !t.checked) clear(form, ["city", "county"]);
          if (t.name === "city" && !t.checked) clear(form, ["county"]);
          // keyboard users keep their place: focus returns to this control after the reload
          try { sessionStorage.setItem("nb-focus", t.name + "=" + t.value); } catch (err) { /* private mode */ }
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
      });
    }

    // Report page: the copy button of the citation line (shown only where script runs).
    Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (b) {
      var source = document.getElementById(b.getAttribute("data-copy"));
      var status = b.nextElementSibling;
      b.hidden = false;
      b.addEventListener("click", function () {
        var text = source.textContent;
        function done() { status.textContent = "已复制"; }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { selectAndCopy(source) && done(); });
        } else if (selectAndCopy(source)) done();
      });
    });

    // Report page: a result matched by a table field opens on that cell (#f-apply.new.total), not on a text match.
    var cell = location.hash.indexOf("#f-") === 0 && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (cell) requestAnimationFrame(function () { cell.scrollIntoView({ block: "center" }); });
    // Otherwise go to the first highlighted match inside the section named in the URL, and step through matches.
    var marks = Array.prototype.slice.call(document.querySelectorAll(".fulltext mark"));
    if (!marks.length) return;
    var current = -1;
    function show(i) {
      if (current >= 0) marks[current].classList.remove("current");
      current = (i + marks.length) % marks.length;
      marks[current].classList.add("current");
      marks[current].scrollIntoView({ block: "center" });
    }
    var start = 0;
    var id = hashId(location.hash);
    var target = id && document.getElementById(id);
    if (target) {
      var inside = target.querySelector("mark");
      if (inside) start = marks.indexOf(inside);
    }
    // wait for layout so that scrolling lands where the reader will look
    if (!cell) requestAnimationFrame(function () { show(start); });
    Array.prototype.forEach.call(document.querySelectorAll(".hitnav"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { show(current + parseInt(b.getAttribute("data-step"), 10)); });
    });
  });

  // The section id in a URL's #fragment; a malformed one (a lone "%", cut UTF-8) names no section rather than
  // throwing, which would leave the page without its match navigation.
  function hashId(hash) {
    try {
      return decodeURIComponent(hash.slice(1));
    } catch (e) {
      return "";
    }
  }

  function selectAndCopy(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { return document.execCommand("copy"); } catch (err) { return false; }
  }

  function clear(form, names) {
    names.forEach(function (n) {
      Array.prototype.forEach.call(form.querySelectorAll("input[name=" + n + "]"), function (i) {
        if (i.type === "checkbox") i.checked = false; else i.remove();
      });
    });
  }
})();
