// The dashboard page. No inline script (the Content-Security-Policy forbids it), no library,
// nothing from another site. Every text from the server goes in with textContent.
"use strict";
(function () {
  var KEY = "koperasi.initData";
  var SVG = "http://www.w3.org/2000/svg";

  function initData() {
    var tg = window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.initData;
    if (tg) { sessionStorage.setItem(KEY, tg); return tg; }
    var hash = location.hash.replace(/^#/, "");
    var params = new URLSearchParams(hash);
    var found = params.get("tgWebAppData");
    if (found) { sessionStorage.setItem(KEY, found); return found; }
    return sessionStorage.getItem(KEY) || "";
  }

  var auth = initData();
  var state = { labels: {}, panels: [], org: "" };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function api(path) {
    var headers = {};
    if (auth) headers.Authorization = "tma " + auth;
    return fetch(path, { headers: headers, credentials: "omit" });
  }

  function refuse(message) {
    var main = document.getElementById("main");
    main.replaceChildren();
    var status = el("p", message, "refused");
    status.id = "status";
    main.appendChild(status);
  }

  function orgQuery() { return state.org ? "?org=" + encodeURIComponent(state.org) : ""; }

  function compare(a, b) {
    if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
    if (b === null || b === undefined) return 1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  }

  function money(value) {
    return "Rp" + new Intl.NumberFormat(document.documentElement.lang || "id").format(value);
  }

  function chart(panel, rows, display) {
    if (!panel.chart || !rows.length) return null;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", panel.title);
    var width = 320, height = 150, bottom = 20, top = panel.y.length > 1 ? 28 : 14;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var groups = {}, order = [], names = {};
    rows.forEach(function (row, i) {
      var x = row[panel.x];
      names[x] = display[i][panel.x];
      if (!(x in groups)) { groups[x] = panel.y.map(function () { return 0; }); order.push(x); }
      panel.y.forEach(function (key, i) { groups[x][i] += Number(row[key] || 0); });
    });
    order.sort(compare);
    var max = 0;
    order.forEach(function (x) { groups[x].forEach(function (v) { if (v > max) max = v; }); });
    if (max <= 0) return null;
    var slot = width / order.length;
    var bar = Math.max(2, Math.min(34, (slot * 0.7) / panel.y.length));
    var inset = (slot - bar * panel.y.length) / 2;
    order.forEach(function (x, i) {
      groups[x].forEach(function (v, j) {
        var h = (height - bottom - top) * v / max;
        var rect = document.createElementNS(SVG, "rect");
        rect.setAttribute("x", String(i * slot + inset + j * bar));
        rect.setAttribute("y", String(height - bottom - h));
        rect.setAttribute("width", String(Math.max(1, bar - 3)));
        rect.setAttribute("height", String(h));
        rect.setAttribute("class", j ? "b" : "a");
        var tip = document.createElementNS(SVG, "title");
        tip.textContent = names[x] + ": " + money(v);
        rect.appendChild(tip);
        svg.appendChild(rect);
        if (order.length * panel.y.length <= 8) {
          var figure = document.createElementNS(SVG, "text");
          figure.setAttribute("x", String(i * slot + inset + j * bar + bar / 2));
          figure.setAttribute("y", String(Math.max(9, height - bottom - h - 3)));
          figure.setAttribute("text-anchor", "middle");
          figure.textContent = money(v);
          svg.appendChild(figure);
        }
      });
      var label = document.createElementNS(SVG, "text");
      label.setAttribute("x", String(i * slot + slot / 2));
      label.setAttribute("y", String(height - 6));
      label.setAttribute("text-anchor", "middle");
      label.textContent = String(names[x]).slice(0, 14);
      svg.appendChild(label);
    });
    if (panel.y.length > 1) {
      panel.y.forEach(function (key, j) {
        var label = panel.columns.filter(function (c) { return c.key === key; })[0];
        var swatch = document.createElementNS(SVG, "rect");
        swatch.setAttribute("x", "2"); swatch.setAttribute("y", String(2 + j * 12));
        swatch.setAttribute("width", "8"); swatch.setAttribute("height", "8");
        swatch.setAttribute("class", j ? "b" : "a");
        svg.appendChild(swatch);
        var name = document.createElementNS(SVG, "text");
        name.setAttribute("x", "13"); name.setAttribute("y", String(10 + j * 12));
        name.textContent = label ? label.label : key;
        svg.appendChild(name);
      });
    }
    return svg;
  }

  function table(panel, rows, display) {
    var wrap = el("div", null, "scroll");
    var tbl = el("table");
    var head = el("thead"), tr = el("tr");
    var body = el("tbody");
    var index = rows.map(function (_, i) { return i; });
    var sorted = { key: null, dir: 1 };
    function fill() {
      body.replaceChildren();
      index.forEach(function (i) {
        var row = el("tr");
        panel.columns.forEach(function (c) {
          row.appendChild(el("td", display[i][c.key], c.kind === "money" || c.kind === "number" ? "num" : ""));
        });
        body.appendChild(row);
      });
    }
    panel.columns.forEach(function (c) {
      var th = el("th", c.label, c.kind === "money" || c.kind === "number" ? "num" : "");
      th.setAttribute("data-key", c.key);
      th.addEventListener("click", function () {
        sorted.dir = sorted.key === c.key ? -sorted.dir : 1;
        sorted.key = c.key;
        index.sort(function (a, b) { return sorted.dir * compare(rows[a][c.key], rows[b][c.key]); });
        tr.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", sorted.dir > 0 ? "ascending" : "descending");
        fill();
      });
      tr.appendChild(th);
    });
    head.appendChild(tr);
    tbl.appendChild(head);
    tbl.appendChild(body);
    fill();
    wrap.appendChild(tbl);
    return wrap;
  }

  function download(panel) {
    api("api/panel/" + panel.name + ".csv" + orgQuery()).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.blob();
    }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = panel.name + ".csv";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(function () { refuse(state.labels.failed); });
  }

  function show(panel, section) {
    api("api/panel/" + panel.name + orgQuery()).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) { refuse(answer.body.error); return; }
      var rows = answer.body.rows, display = answer.body.display;
      section.querySelectorAll(".scroll, svg, p").forEach(function (n) { n.remove(); });
      if (!rows.length) { section.appendChild(el("p", state.labels.empty, "empty")); return; }
      var drawn = chart(panel, rows, display);
      if (drawn) section.appendChild(drawn);
      section.appendChild(table(panel, rows, display));
    }).catch(function () { refuse(state.labels.failed || "…"); });
  }

  function render() {
    var main = document.getElementById("main");
    main.replaceChildren();
    var hint = el("p", state.labels.sort, "hint");
    hint.id = "status";
    main.appendChild(hint);
    state.panels.forEach(function (panel) {
      var section = el("section");
      section.id = "panel-" + panel.name;
      var h2 = el("h2");
      h2.appendChild(el("span", panel.title));
      var button = el("button", state.labels.download, "csv");
      button.type = "button";
      button.addEventListener("click", function () { download(panel); });
      h2.appendChild(button);
      section.appendChild(h2);
      section.appendChild(el("p", state.labels.loading, "empty"));
      main.appendChild(section);
      show(panel, section);
    });
  }

  function start() {
    api("api/panels").then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) { refuse(answer.body.error); return; }
      var body = answer.body;
      state.labels = body.labels;
      state.panels = body.panels;
      document.documentElement.lang = body.language;
      document.title = body.labels.title;
      document.getElementById("title").textContent = body.labels.title;
      document.getElementById("who").textContent = body.labels.signed_in;
      if (body.organisations.length > 1) {
        var select = document.getElementById("org");
        select.appendChild(el("option", body.labels.all)).value = "";
        body.organisations.forEach(function (o) { select.appendChild(el("option", o.name)).value = String(o.id); });
        select.addEventListener("change", function () { state.org = select.value; render(); });
        document.getElementById("org-text").textContent = body.labels.cooperative;
        document.getElementById("org-label").hidden = false;
      }
      render();
    }).catch(function () { refuse("…"); });
  }

  if (window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.ready) window.Telegram.WebApp.ready();
  start();
})();
