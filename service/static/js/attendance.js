/* Attendance on tablets: one tap per mark, kept in IndexedDB until the server has
   it, sent in batches when the network is there, live updates by server-sent events.
   Every mark has a UUID made here and the time it was made; the server stores a UUID
   once, and the later mark wins, so sending a mark again is always safe. Each batch
   says when it was sent by this tablet's clock, so the server dates each mark by how
   long ago it was made, whatever this clock says. A mark the server refuses is never
   sent again: it is kept aside and shown on its roster until someone has seen it. */
(function () {
  "use strict";

  var DB_NAME = "tupa-attendance";
  var STORE = "marks";
  var KEEP_SENT_MS = 3 * 24 * 3600 * 1000;
  var PAGES_CACHE = "tupa-pages-v1";

  // --- IndexedDB -----------------------------------------------------------------

  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var store = request.result.createObjectStore(STORE, { keyPath: "uuid" });
          store.createIndex("session_id", "session_id");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function allMarks() { return tx("readonly", function (s) { return s.getAll(); }); }
  function putMark(mark) { return tx("readwrite", function (s) { s.put(mark); }); }
  function deleteMark(uuid) { return tx("readwrite", function (s) { s.delete(uuid); }); }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- sending ---------------------------------------------------------------------

  var sending = false;
  var oneByOne = false;  // after a batch was refused whole: find the mark at fault
  var listeners = [];
  var WHOLE_BATCH_REFUSED = [400, 413, 422];
  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  /* How far the server's clock is ahead of this tablet's (ms), from the Date header of
     its answers; kept for offline use. Only used to show marks in the right order. */
  var skew = Number(localStorage.getItem("tupa-clock-skew")) || 0;
  function learnClock(response) {
    var date = Date.parse(response.headers.get("Date") || "");
    if (isNaN(date)) return;
    // The header has whole seconds: a skew within a few of them is no skew.
    skew = date - Date.now();
    if (Math.abs(skew) < 5000) skew = 0;
    localStorage.setItem("tupa-clock-skew", String(skew));
  }

  function waiting(m) { return !m.sent && !m.refused; }

  /* Set a mark aside as refused (never sent again), with the reason, for the roster. */
  function setAside(mark, detail) {
    mark.refused = { detail: detail, at: Date.now() };
    listeners.forEach(function (l) { l.refused(mark); });
    return putMark(mark);
  }

  function showOffline(offline) {
    var banner = document.getElementById("att-offline");
    if (banner) banner.hidden = !offline;
  }

  function flush() {
    if (sending || !navigator.onLine) { showOffline(!navigator.onLine); return Promise.resolve(); }
    sending = true;
    return allMarks().then(function (marks) {
      var now = Date.now();
      var pending = marks.filter(waiting);
      marks.forEach(function (m) {
        var done = m.sent || (m.refused && m.refused.at);
        if (done && now - done > KEEP_SENT_MS) deleteMark(m.uuid);
      });
      if (!pending.length) { oneByOne = false; return null; }
      var size = oneByOne ? 1 : 500;
      var batch = pending.slice(0, size);
      var body = batch.map(function (m) {
        return {
          uuid: m.uuid, session_id: m.session_id, participant_id: m.participant_id,
          status: m.status, marked_at: m.marked_at, arrived_at: m.arrived_at,
          left_at: m.left_at, note: m.note
        };
      });
      return fetch("/api/v1/attendance", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ marks: body, device: deviceId(), sent_at: new Date().toISOString() })
      }).then(function (response) {
        if (response.status >= 500 || response.status === 401) return null;
        learnClock(response);
        // A refusal by something in between (a proxy's 413 page) may not be JSON.
        return response.json().catch(function () { return {}; }).then(function (answer) {
          showOffline(false);
          if (!answer.results) return refusedWhole(response.status, answer, batch);
          var work = answer.results.map(function (r, index) {
            var mark = batch[index];
            if (!mark || mark.uuid !== r.uuid) return null;
            if (r.result === "refused") return setAside(mark, r.detail);
            mark.sent = Date.now();
            if (r.differs) {
              mark.differs = r.detail;
              listeners.forEach(function (l) { l.differs(mark); });
            }
            return putMark(mark);
          });
          return Promise.all(work).then(function () {
            listeners.forEach(function (l) { l.changed(); });
            if (pending.length > batch.length) return "more";
            return null;
          });
        });
      });
    }).catch(function () {
      showOffline(!navigator.onLine);
      return null;
    }).then(function (more) {
      sending = false;
      if (more === "more") return flush();
    });
  }

  /* A batch refused as a whole (it could not be read): send its marks one by one to
     find the one at fault, and set that one aside. Any other refusal of the whole batch
     (signed out, no right to mark) keeps the marks for later. */
  function refusedWhole(status, answer, batch) {
    if (WHOLE_BATCH_REFUSED.indexOf(status) < 0) return null;
    if (batch.length > 1) { oneByOne = true; return "more"; }
    return setAside(batch[0], answer.detail || answer.title || String(status)).then(function () {
      listeners.forEach(function (l) { l.changed(); });
      return "more";
    });
  }

  function deviceId() {
    var id = localStorage.getItem("tupa-device");
    if (!id || !UUID_RE.test(id)) { id = uuid4(); localStorage.setItem("tupa-device", id); }
    return id;
  }

  window.addEventListener("online", function () { showOffline(false); flush(); });
  window.addEventListener("offline", function () { showOffline(true); });
  setInterval(flush, 15000);

  // --- the service worker, and this page kept for offline use ----------------------

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      if (!navigator.onLine || !window.caches) return;
      // The page that registered the worker was not fetched through it: keep it now.
      return caches.open(PAGES_CACHE).then(function (cache) {
        return cache.match(location.href).then(function (hit) {
          if (!hit) return cache.add(location.href);
        });
      });
    }).catch(function () { /* offline use is a bonus, never an error */ });
  }

  // --- the roster ------------------------------------------------------------------

  var root = document.getElementById("roster");
  if (!root) { flush(); return; }

  var sessionId = Number(root.dataset.session);
  var canMark = root.dataset.canMark === "true";
  var text = JSON.parse(document.getElementById("att-text").textContent);
  var sheet = JSON.parse(document.getElementById("att-sheet").textContent);
  var template = document.getElementById("att-row-template");
  var list = document.getElementById("att-rows");
  var rows = {};      // participant id -> {data, element}
  var server = {};    // participant id -> current mark from the server
  var local = {};     // participant id -> latest mark made on this tablet

  /* When a mark was made, on the server's clock: marks made here (they have `sent`)
     are moved by how far this tablet's clock is off. */
  function madeAt(m) { return Date.parse(m.marked_at) + ("sent" in m ? skew : 0); }

  function later(a, b) {
    if (!a) return b;
    if (!b) return a;
    return madeAt(b) > madeAt(a) ? b : a;
  }

  function format(message, values) {
    return message.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }

  // 24-hour times in every language (09:05, 14:30).
  function clock(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  var ABSENT = { absent_notice: true, absent_no_notice: true, excused: true };

  function current(pid) {
    var mine = local[pid];
    var theirs = server[pid];
    var winner = later(theirs, mine);
    if (!winner) return null;
    var here = winner === mine && !mine.sent && (!theirs || theirs.uuid !== mine.uuid);
    return { mark: winner, here: here };
  }

  function effectiveStatus(pid) {
    var state = current(pid);
    if (state) return state.mark.status;
    var row = rows[pid];
    if (row && row.data.absence_given_at) return "absent_notice";
    return null;
  }

  function addRow(data) {
    if (rows[data.participant_id]) return rows[data.participant_id];
    var element = template.content.firstElementChild.cloneNode(true);
    var pid = data.participant_id;
    var nameId = "att-name-" + pid;
    element.dataset.participant = pid;
    var name = element.querySelector(".att-name");
    name.id = nameId;
    name.textContent = data.name + (data.expected ? "" : " (" + text.walk_in + ")");
    element.querySelector(".att-statuses").setAttribute("aria-labelledby", nameId);
    var noteLabel = element.querySelector(".att-note-label");
    var textarea = element.querySelector("textarea");
    textarea.id = "att-note-" + pid;
    noteLabel.setAttribute("for", textarea.id);
    textarea.value = data.note || "";
    if (data.absence_given_at) {
      var notice = element.querySelector(".att-notice");
      notice.hidden = false;
      notice.textContent = text.notice + (data.absence_note ? ": " + data.absence_note : "");
    }
    element.querySelectorAll(".att-status").forEach(function (button) {
      button.disabled = !canMark;
      button.addEventListener("click", function () { mark(pid, { status: button.dataset.status }); });
    });
    var arrived = element.querySelector(".att-arrived");
    var left = element.querySelector(".att-left");
    arrived.disabled = left.disabled = !canMark;
    arrived.dataset.now = arrived.textContent;
    left.dataset.now = left.textContent;
    arrived.addEventListener("click", function () {
      mark(pid, { arrived_at: new Date().toISOString() });
    });
    left.addEventListener("click", function () {
      mark(pid, { left_at: new Date().toISOString() });
    });
    element.querySelector(".att-note-save").disabled = !canMark;
    element.querySelector(".att-note-save").addEventListener("click", function () {
      mark(pid, { note: textarea.value.slice(0, 300) });
    });
    list.appendChild(element);
    rows[pid] = { data: data, element: element };
    if (data.mark) server[pid] = data.mark;
    return rows[pid];
  }

  function render(pid) {
    var row = rows[pid];
    if (!row) return;
    var state = current(pid);
    var status = effectiveStatus(pid);
    row.element.classList.toggle("marked", !!status);
    row.element.querySelectorAll(".att-status").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.status === status ? "true" : "false");
    });
    var words;
    if (state) {
      words = text.labels[state.mark.status] + " · " + (state.here ? text.saved_here : text.saved);
    } else if (status) {
      words = text.labels[status];
    } else {
      words = text.not_marked;
    }
    row.element.querySelector(".att-state").textContent = words;
    row.element.classList.toggle("pending", !!(state && state.here));
    var m = state ? state.mark : {};
    var arrived = row.element.querySelector(".att-arrived");
    var left = row.element.querySelector(".att-left");
    arrived.textContent = m.arrived_at ? text.arrived + " " + clock(m.arrived_at) : arrived.dataset.now;
    left.textContent = m.left_at ? text.left + " " + clock(m.left_at) : left.dataset.now;
  }

  function renderAll() {
    Object.keys(rows).forEach(function (pid) { render(Number(pid)); });
    var total = Object.keys(rows).length;
    var counts = {};
    var marked = 0;
    var expected = 0;
    var expectedMarked = 0;
    Object.keys(rows).forEach(function (pid) {
      var status = effectiveStatus(Number(pid));
      if (status) { marked += 1; counts[status] = (counts[status] || 0) + 1; }
      if (rows[pid].data.expected) {
        expected += 1;
        if (status) expectedMarked += 1;
      }
    });
    var walkIns = total - expected;
    var progress = format(text.marked_count, { marked: expectedMarked, total: expected });
    if (walkIns) progress += " " + format(walkIns === 1 ? text.plus_walk_in : text.plus_walk_ins, { count: walkIns });
    document.getElementById("att-progress").textContent = progress;
    var everyone = document.getElementById("att-all-present");
    if (everyone) everyone.hidden = !canMark || marked === total;
    var summary = document.getElementById("att-summary");
    var wasHidden = summary.hidden;
    summary.hidden = !(total > 0 && marked === total);
    var items = document.getElementById("att-summary-list");
    items.textContent = "";
    Object.keys(text.labels).forEach(function (status) {
      if (!counts[status]) return;
      var li = document.createElement("li");
      li.textContent = text.labels[status] + ": " + counts[status];
      items.appendChild(li);
    });
    if (wasHidden && !summary.hidden) announce(document.getElementById("summary-title").textContent);
  }

  function announce(message) {
    var region = document.getElementById("att-announce");
    region.textContent = "";
    setTimeout(function () { region.textContent = message; }, 50);
  }

  function mark(pid, change) {
    if (!canMark) return;
    var before = current(pid);
    var base = before ? before.mark : {};
    var status = change.status || base.status || "present";
    if (ABSENT[status] && (change.arrived_at || change.left_at)) status = "present";  // arriving means present
    var absent = !!ABSENT[status];  // someone absent has no arrival or leaving time
    var made = {
      uuid: uuid4(),
      session_id: sessionId,
      participant_id: pid,
      name: rows[pid].data.name,  // kept on the tablet, so a walk-in is named offline
      expected: !!rows[pid].data.expected,
      status: status,
      marked_at: new Date().toISOString(),
      arrived_at: absent ? null : ("arrived_at" in change ? change.arrived_at : (base.arrived_at || null)),
      left_at: absent ? null : ("left_at" in change ? change.left_at : (base.left_at || null)),
      note: "note" in change ? change.note : (base.note || rows[pid].element.querySelector("textarea").value || ""),
      sent: 0
    };
    local[pid] = made;
    renderAll();
    announce(format(text.marked_as, { name: rows[pid].data.name, status: text.labels[status] }));
    return putMark(made).then(flush);
  }

  function loadLocal() {
    return allMarks().then(function (marks) {
      marks.forEach(function (m) {
        if (m.session_id !== sessionId) return;
        if (m.refused || m.differs) {
          showProblem(m);  // not what counts: the stored mark stands
          return;
        }
        local[m.participant_id] = later(local[m.participant_id], m);
        if (!rows[m.participant_id]) {
          addRow({ participant_id: m.participant_id, name: m.name || "#" + m.participant_id, expected: !!m.expected, note: m.note });
          dropWalkInChoice(m.participant_id);
        }
      });
    });
  }

  function applySheet(data) {
    data.rows.forEach(function (r) {
      var row = addRow(r);
      row.data = r;
      if (r.mark) server[r.participant_id] = later(server[r.participant_id], r.mark);
      var name = row.element.querySelector(".att-name");
      name.textContent = r.name + (r.expected ? "" : " (" + text.walk_in + ")");
    });
    renderAll();
  }

  function refresh() {
    return fetch("/api/v1/sessions/" + sessionId + "/attendance", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) applySheet(data); })
      .catch(function () { /* offline */ });
  }

  listeners.push({
    changed: function () {
      allMarks().then(function (marks) {
        marks.forEach(function (m) {
          if (m.session_id !== sessionId || m.refused || m.differs) return;
          var held = local[m.participant_id];
          local[m.participant_id] = held && held.uuid === m.uuid ? m : later(held, m);
        });
        renderAll();
      });
    },
    refused: function (m) {
      if (m.session_id !== sessionId) return;
      forget(m);
      showProblem(m);
    },
    differs: function (m) {
      if (m.session_id !== sessionId) return;
      forget(m);
      showProblem(m);
      refresh();  // the stored mark stands: show it
    }
  });

  function forget(m) {
    if (local[m.participant_id] && local[m.participant_id].uuid === m.uuid) delete local[m.participant_id];
  }

  // --- marks not saved as they were made, shown until someone has seen them ------

  var problems = document.getElementById("att-problems");
  var problemList = document.getElementById("att-problems-list");
  var shown = {};  // uuid -> the mark shown

  function showProblem(m) {
    if (!problems || m.seen || shown[m.uuid]) return;
    shown[m.uuid] = m;
    var row = rows[m.participant_id];
    var item = document.createElement("li");
    item.textContent = format(m.refused ? text.not_saved : text.saved_otherwise, {
      name: row ? row.data.name : "#" + m.participant_id,
      status: text.labels[m.status] || m.status,
      time: clock(m.marked_at),
      detail: m.refused ? m.refused.detail : m.differs
    });
    problemList.appendChild(item);
    problems.hidden = false;
    announce(item.textContent);
  }

  if (problems) {
    document.getElementById("att-problems-seen").addEventListener("click", function () {
      var work = Object.keys(shown).map(function (uuid) {
        var m = shown[uuid];
        if (m.refused) return deleteMark(uuid);
        m.seen = true;
        return putMark(m);
      });
      shown = {};
      problemList.textContent = "";
      problems.hidden = true;
      return Promise.all(work);
    });
  }

  function dropWalkInChoice(pid) {
    var option = document.querySelector('#walkin option[value="' + pid + '"]');
    if (option) option.remove();
  }

  // The walk-in picker's search narrows the list to the names that contain the words.
  var search = document.getElementById("walkin-search");
  if (search) {
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var select = document.getElementById("walkin");
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var hit = option.textContent.toLowerCase().indexOf(words) !== -1;
        option.hidden = !hit;
        option.disabled = !hit;
        if (hit && !first) first = option;
      });
      select.value = words && first ? first.value : "";
    });
  }

  // Everyone not marked yet is marked present at once (partners on a farm, a full room).
  var allPresent = document.getElementById("att-all-present");
  if (allPresent) {
    allPresent.addEventListener("click", function () {
      Object.keys(rows).forEach(function (pid) {
        if (!effectiveStatus(Number(pid))) mark(Number(pid), { status: "present" });
      });
    });
  }

  var walkin = document.getElementById("att-walkin-form");
  if (walkin) {
    walkin.addEventListener("submit", function (event) {
      event.preventDefault();
      var select = walkin.querySelector("select");
      var pid = Number(select.value);
      if (!pid) return;
      var option = select.options[select.selectedIndex];
      addRow({ participant_id: pid, name: option.textContent, expected: false });
      option.remove();
      mark(pid, { status: "present", arrived_at: new Date().toISOString() });
    });
  }

  function listen() {
    if (!window.EventSource) return;
    var source = new EventSource("/api/v1/sessions/" + sessionId + "/attendance/events");
    var opened = false;
    source.addEventListener("ready", function () {
      root.dataset.live = "on";
      if (opened) refresh();  // after a reconnection: catch up on what was missed
      opened = true;
    });
    source.addEventListener("marks", function (event) {
      var data = JSON.parse(event.data);
      var unknown = false;
      data.marks.forEach(function (m) {
        server[m.participant_id] = later(server[m.participant_id], m);
        if (local[m.participant_id] && local[m.participant_id].uuid === m.uuid) local[m.participant_id].sent = Date.now();
        if (!rows[m.participant_id]) unknown = true;
      });
      if (unknown) refresh(); else renderAll();
    });
  }

  applySheet(sheet);
  loadLocal().then(function () { renderAll(); flush(); });
  listen();
})();
