/// The dashboard served at `GET /`: one self-contained page (inline CSS and JS, no external
/// resources). It reads the token from the URL fragment (`/#token=…`, never sent to the server),
/// polls `/api/v1/status` and `/api/v1/activity` every 2 s and builds the DOM with `textContent`
/// only, so module-provided text (names, reasons, activity) can never become markup.
enum DashboardPage {
    /// The page with `nonce` on its `<style>` and `<script>` (the CSP allows only those).
    static func html(nonce: String) -> String {
        template.replacingOccurrences(of: "{{NONCE}}", with: nonce)
    }

    static let tokenHelp = "Open the link that `station daemon` printed; the token is in STATE/status.json."

    private static let template = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Station daemon</title>
<style nonce="{{NONCE}}">
:root { --bg:#f6f7f9; --card:#fff; --text:#1d2330; --muted:#6b7385; --line:#e3e6ec;
  --green:#1e8e3e; --blue:#1a66d2; --amber:#b86e00; --red:#c5221f; --grey:#70757f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  background:var(--bg); color:var(--text); }
header { background:#1d2330; color:#fff; padding:12px 16px; display:flex; align-items:baseline; gap:16px; flex-wrap:wrap; }
header h1 { font-size:18px; margin:0; font-weight:600; }
header .sub { color:#b8bfcc; font-size:13px; }
main { padding:14px 16px 28px; }
.notice { padding:10px 14px; border-radius:6px; margin:0 0 14px; display:none; }
.notice.show { display:block; }
.notice.error { background:#fdecea; color:#8a1c14; border:1px solid #f5c2bd; }
.notice.info { background:#e8f0fe; color:#174ea6; border:1px solid #c6dafc; }
.cards { display:flex; flex-wrap:wrap; gap:8px; margin-bottom:14px; align-items:flex-start; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:8px 12px; min-width:120px; max-width:100%; }
.card.wide { flex:1 1 420px; }
.card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.card .value { font-size:15px; font-weight:600; overflow-wrap:anywhere; }
.card .value.mono, .card .extra { font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-weight:400; overflow-wrap:anywhere; }
.card .extra { color:var(--muted); white-space:pre-line; }
h2 { font-size:15px; margin:14px 0 8px; }
.tablewrap { overflow-x:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:7px 8px; border-bottom:1px solid var(--line); vertical-align:top; white-space:nowrap; }
th { font-size:12px; color:var(--muted); font-weight:600; background:#fafbfc; }
tr:last-child td { border-bottom:none; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
td.wrap { white-space:normal; min-width:140px; max-width:190px; overflow-wrap:anywhere; }
.source { max-width:210px; overflow:hidden; text-overflow:ellipsis; }
.reason { white-space:normal; max-width:210px; overflow-wrap:anywhere; margin-top:3px; }
.name { font-weight:600; }
.small { color:var(--muted); font-size:12px; }
.state { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; }
.state.running { background:var(--green); } .state.starting { background:var(--blue); }
.state.backoff { background:var(--amber); } .state.parked { background:var(--red); }
.state.stopped { background:var(--grey); }
.bar { height:4px; background:var(--line); border-radius:2px; margin-top:3px; width:100%; min-width:80px; }
.bar > div { height:4px; border-radius:2px; background:var(--blue); }
.bar > div.high { background:var(--red); }
button { font:inherit; font-size:12px; padding:3px 10px; border-radius:5px; border:1px solid #c3c8d2; background:#fff; cursor:pointer; }
button:hover { background:#f0f2f5; } button:disabled { opacity:.55; cursor:default; }
ol.log { list-style:none; margin:0; padding:0; background:var(--card); border:1px solid var(--line); border-radius:8px;
  font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; max-height:420px; overflow-y:auto; }
ol.log li { padding:4px 10px; border-bottom:1px solid var(--line); display:flex; gap:10px; }
ol.log li:last-child { border-bottom:none; }
ol.log li.error { background:#fdecea; color:#8a1c14; }
ol.log .time { color:var(--muted); flex:none; width:150px; }
ol.log .module { flex:none; width:130px; font-weight:600; overflow:hidden; text-overflow:ellipsis; }
ol.log .msg { white-space:pre-wrap; overflow-wrap:anywhere; }
.empty { color:var(--muted); padding:10px; }
footer { color:var(--muted); font-size:12px; margin-top:16px; }
</style>
</head>
<body>
<header><h1>Station daemon</h1><span class="sub" id="subtitle">connecting…</span></header>
<main>
<div id="notice" class="notice" role="alert"></div>
<section id="overview" class="cards"></section>
<h2>Modules</h2>
<div class="tablewrap"><table>
<thead><tr><th>Module</th><th>State</th><th class="num">Restarts</th><th class="num">Jobs</th><th class="num">CPU / limit</th><th class="num">Memory / limit</th><th class="num">Storage / limit</th><th class="num">Network</th><th>Last activity</th><th></th></tr></thead>
<tbody id="modules"><tr><td colspan="10" class="empty">Waiting for the daemon…</td></tr></tbody>
</table></div>
<h2>Activity</h2>
<ol id="activity" class="log"><li class="empty">Waiting for the daemon…</li></ol>
<footer id="footer"></footer>
</main>
<script nonce="{{NONCE}}">
"use strict";
(function () {
  var TOKEN_HELP = "Open the link that `station daemon` printed; the token is in STATE/status.json.";
  var POLL_MS = 2000;
  var token = "";
  var timer = null;
  var clockOffset = 0;   // server time minus browser time, in ms
  var noticeSince = 0;

  function readToken() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    return (params.get("token") || "").trim();
  }

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function now() { return Date.now() + clockOffset; }

  function bytes(n) {
    if (n === null || n === undefined) return "—";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var v = Number(n), i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    if (i === 0) return v.toFixed(0) + " B";
    return (v < 10 ? v.toFixed(1) : v.toFixed(0)) + " " + units[i];
  }

  function duration(seconds) {
    var s = Math.max(0, Number(seconds) || 0);
    if (s < 10) return s.toFixed(1) + " s";
    if (s < 60) return Math.round(s) + " s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + " min " + Math.floor(s % 60) + " s";
    var h = Math.floor(m / 60);
    if (h < 24) return h + " h " + (m % 60) + " min";
    return Math.floor(h / 24) + " d " + (h % 24) + " h";
  }

  function coarse(seconds) {
    var s = Math.round(Math.abs(seconds));
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + " min";
    var h = Math.floor(m / 60);
    if (h < 48) return h + " h";
    return Math.floor(h / 24) + " d";
  }

  function ago(iso) {
    if (!iso) return "—";
    var seconds = (now() - Date.parse(iso)) / 1000;
    if (isNaN(seconds)) return "—";
    if (seconds < 2) return "just now";
    return coarse(seconds) + " ago";
  }

  function until(iso) {
    if (!iso) return "—";
    var seconds = (Date.parse(iso) - now()) / 1000;
    if (isNaN(seconds)) return "—";
    if (seconds <= 0) return "due now";
    return "in " + coarse(seconds);
  }

  function number(n) {
    if (n === null || n === undefined) return "—";
    return Number(n).toLocaleString("en-US");
  }

  function percent(p) {
    if (p === null || p === undefined) return "—";
    var v = Number(p);
    return (v < 10 ? v.toFixed(1) : v.toFixed(0)) + " %";
  }

  function clock(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  function notice(kind, text) {
    noticeSince = Date.now();
    var box = $("notice");
    box.className = "notice show " + kind;
    box.textContent = text;
  }

  function clearNotice() { $("notice").className = "notice"; $("notice").textContent = ""; }

  function request(method, path, body) {
    var options = { method: method, headers: { "Authorization": "Bearer " + token }, cache: "no-store" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function card(label, value, mono) {
    var box = el("div", "card");
    box.appendChild(el("div", "label", label));
    box.appendChild(el("div", mono ? "value mono" : "value", value));
    return box;
  }

  function withLimit(used, limit, formatter) {
    if (limit === null || limit === undefined || limit === 0) return formatter(used);
    return formatter(used) + " / " + formatter(limit);
  }

  function bar(used, limit) {
    var outer = el("div", "bar");
    if (!limit) return outer;
    var fraction = Math.min(1, Math.max(0, used / limit));
    var inner = el("div", fraction > 0.9 ? "high" : "");
    inner.style.width = (fraction * 100).toFixed(1) + "%";
    outer.appendChild(inner);
    return outer;
  }

  function renderOverview(s) {
    var uptime = (now() - Date.parse(s.startedAt)) / 1000;
    $("subtitle").textContent = "version " + s.version + " · up " + duration(uptime);
    var counts = {};
    (s.modules || []).forEach(function (m) { counts[m.state] = (counts[m.state] || 0) + 1; });
    var summary = Object.keys(counts).sort().map(function (k) { return counts[k] + " " + k; }).join(", ") || "none";
    var budget = s.budget || {};
    var peer = card("Peer ID", s.peerID || "no p2p node", true);
    peer.className = "card wide";
    if (s.listenAddresses && s.listenAddresses.length) peer.appendChild(el("div", "extra", s.listenAddresses.join("\n")));
    var cards = [
      card("Uptime", duration(uptime)),
      card("Process memory (RSS)", bytes(s.process.residentBytes)),
      card("Process CPU time", duration(s.process.cpuSeconds)),
      card("Jobs completed", s.jobsTotal !== undefined ? number(s.jobsTotal) : "—"),
      card("Modules", summary),
      card("Budget", [
        "memory " + (budget.memoryBytes ? bytes(budget.memoryBytes) : "unlimited"),
        "CPU " + (budget.cpuPercent ? percent(budget.cpuPercent) : "unlimited"),
        "storage " + (budget.storageBytes ? bytes(budget.storageBytes) : "unlimited")
      ].join(" · ")),
      peer
    ];
    // Only daemons that run a content router report it.
    if (s.routing) {
      var r = s.routing;
      var routing = card("Content routing", number(r.routingTableSize) + " peers in the routing table");
      routing.id = "routing";
      routing.className = "card wide";
      var lines = [
        "lookups " + number(r.lookups) + " (" + number(r.lookupsFailed) + " failed) · providers found " + number(r.providersFound),
        "DHT requests " + number(r.dhtRequests) + " · delegated requests " + number(r.delegatedRequests) +
          " · provider announcements " + number(r.providerAnnouncements || 0)
      ];
      // The server line only once other peers have asked (a DHT client never serves).
      if (r.dhtRequestsServed || r.dhtRequestsRefused || r.providerRecords) {
        lines.push("DHT server: " + number(r.dhtRequestsServed || 0) + " requests answered (" + number(r.dhtRequestsRefused || 0) +
          " refused) · " + number(r.providerRecords || 0) + " provider records held for others");
      }
      routing.appendChild(el("div", "extra", lines.join("\n")));
      cards.push(routing);
    }
    $("overview").replaceChildren.apply($("overview"), cards);
  }

  function restart(name, button) {
    button.disabled = true;
    button.textContent = "Restarting…";
    request("POST", "/api/v1/modules/" + encodeURIComponent(name) + "/restart").then(function (r) {
      if (r.ok) notice("info", "Restart requested for " + name + ".");
      else notice("error", "Restart of " + name + " failed: " + ((r.data && r.data.error) || ("HTTP " + r.status)));
      poll();
    }).catch(function (e) {
      notice("error", "Restart of " + name + " failed: " + e);
    });
  }

  function renderModules(s) {
    var rows = (s.modules || []).map(function (m) {
      var tr = el("tr");
      tr.setAttribute("data-module", m.name);
      var nameCell = el("td");
      nameCell.appendChild(el("div", "name", m.name));
      nameCell.appendChild(el("div", "small", "v" + m.version + (m.engine ? " · " + m.engine : "")));
      var source = el("div", "small source", m.source);
      source.title = m.source;
      nameCell.appendChild(source);
      tr.appendChild(nameCell);

      var stateCell = el("td");
      var knownStates = ["running", "starting", "backoff", "parked", "stopped"];
      stateCell.appendChild(el("span", "state " + (knownStates.indexOf(m.state) >= 0 ? m.state : "stopped"), m.state));
      if (m.state === "running" && m.runningSince) stateCell.appendChild(el("div", "small", "for " + duration((now() - Date.parse(m.runningSince)) / 1000)));
      if (m.state === "backoff" && m.nextStartAt) stateCell.appendChild(el("div", "small", "next start " + until(m.nextStartAt)));
      if (m.consecutiveFailures > 0) stateCell.appendChild(el("div", "small", m.consecutiveFailures + " failure" + (m.consecutiveFailures === 1 ? "" : "s") + " in a row"));
      if (m.reason) stateCell.appendChild(el("div", "reason", m.reason));
      tr.appendChild(stateCell);

      tr.appendChild(el("td", "num", number(m.restarts)));
      tr.appendChild(el("td", "num", number(m.jobs)));

      var cpu = el("td", "num");
      cpu.appendChild(el("div", null, percent(m.cpuPercent) + (m.cpuLimitPercent ? " / " + percent(m.cpuLimitPercent) : "")));
      cpu.appendChild(el("div", "small", duration(m.cpuSeconds) + " total"));
      tr.appendChild(cpu);

      var memory = el("td", "num");
      memory.appendChild(el("div", null, withLimit(m.memoryBytes, m.memoryLimitBytes, bytes)));
      memory.appendChild(bar(m.memoryBytes, m.memoryLimitBytes));
      tr.appendChild(memory);

      var storage = el("td", "num");
      storage.appendChild(el("div", null, withLimit(m.storageBytes, m.storageLimitBytes, bytes)));
      storage.appendChild(bar(m.storageBytes, m.storageLimitBytes));
      tr.appendChild(storage);

      var network = el("td", "num");
      network.appendChild(el("div", null, "in " + bytes(m.networkBytesIn)));
      network.appendChild(el("div", null, "out " + bytes(m.networkBytesOut)));
      tr.appendChild(network);
      tr.appendChild(el("td", "wrap", m.lastActivity || "—"));

      var actions = el("td");
      var button = el("button", null, "Restart");
      button.type = "button";
      button.title = "Start " + m.name + " again now";
      button.addEventListener("click", function () { restart(m.name, button); });
      actions.appendChild(button);
      tr.appendChild(actions);
      return tr;
    });
    if (!rows.length) {
      var empty = el("tr");
      var cell = el("td", "empty", "No modules configured.");
      cell.colSpan = 10;
      empty.appendChild(cell);
      rows = [empty];
    }
    $("modules").replaceChildren.apply($("modules"), rows);
  }

  function renderActivity(entries) {
    var items = entries.slice().reverse().map(function (a) {
      var li = el("li", a.level === "error" ? "error" : "");
      li.appendChild(el("span", "time", clock(a.time) + " · " + ago(a.time)));
      li.appendChild(el("span", "module", a.module));
      li.appendChild(el("span", "msg", a.message));
      return li;
    });
    if (!items.length) items = [el("li", "empty", "No activity yet.")];
    $("activity").replaceChildren.apply($("activity"), items);
  }

  function refused() {
    stop();
    $("subtitle").textContent = "not connected";
    notice("error", "The access token was refused. " + TOKEN_HELP);
  }

  function poll() {
    if (!token) return;
    Promise.all([request("GET", "/api/v1/status"), request("GET", "/api/v1/activity?limit=100")]).then(function (results) {
      var status = results[0], activity = results[1];
      if (status.status === 401 || activity.status === 401) { refused(); return; }
      if (!status.ok || !status.data) {
        notice("error", "The daemon answered HTTP " + status.status + ": " + ((status.data && status.data.error) || "no details"));
        return;
      }
      if (status.data.serverTime) clockOffset = Date.parse(status.data.serverTime) - Date.now();
      var box = $("notice");
      if (box.classList.contains("error") || (box.classList.contains("info") && Date.now() - noticeSince > 6000)) clearNotice();
      renderOverview(status.data);
      renderModules(status.data);
      if (activity.ok && Array.isArray(activity.data)) renderActivity(activity.data);
      $("footer").textContent = "Updated " + clock(new Date().toISOString()) + " · refreshes every 2 s";
    }).catch(function () {
      $("subtitle").textContent = "daemon not reachable";
      notice("error", "Cannot reach the daemon (has it stopped?). Retrying every 2 s.");
    });
  }

  function stop() { if (timer !== null) { clearInterval(timer); timer = null; } }

  function startPolling() {
    stop();
    token = readToken();
    if (!token) {
      $("subtitle").textContent = "not connected";
      notice("error", "No access token in this link. " + TOKEN_HELP);
      return;
    }
    clearNotice();
    poll();
    timer = setInterval(poll, POLL_MS);
  }

  window.addEventListener("hashchange", startPolling);
  startPolling();
})();
</script>
</body>
</html>
"""#
}
