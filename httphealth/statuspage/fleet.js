(() => {
  'use strict';
  // The fleet view of the status page: every instance of the service and,
  // per check, its availability over 24 h, 7 d and 30 d, a bar of its last
  // 30 days and its last transitions, from GET {prefix}/fleet (the shared
  // store's view, served by whichever replica answers).
  //
  // It asks after each refresh of status.js (its "healthcheck:refreshed"
  // event), so at the page's refresh period and never while the tab is
  // hidden, and only once the detailed route has accepted the tab's token,
  // which it sends the same way (Bearer header, same origin, no-store). It
  // revalidates with If-None-Match when the route sends an ETag: a 304
  // leaves the view as it is. A 404 means the service keeps no shared
  // store: the view stays absent and the route is not asked again. A 401
  // or 403 hides the view (status.js deals with the token). Server text is
  // only ever set as text.
  const { el, getToken } = healthPage; // common.js
  const TRANSITIONS = 5; // shown per check, newest first
  // A day's colour: at least OK is green, at least WARN yellow, below red;
  // a day without data is grey.
  const OK = 0.999;
  const WARN = 0.99;
  const RANK = { unhealthy: 0, degraded: 1, unknown: 2, healthy: 3, gone: 4 };
  const root = document.documentElement;
  const $ = (id) => document.getElementById(id);
  let absent = false; // the route answered 404
  let busy = false;
  let last = null; // the last 200: { token, tag, data }

  const norm = (s) => (s === 'healthy' || s === 'degraded' || s === 'unhealthy' || s === 'gone' ? s : 'unknown');


  function badge(status) {
    const s = norm(status);
    return el('span', 'badge st-' + s, s);
  }


  function pct(x) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return '\u2014';
    const v = x * 100;
    if (v >= 100) return '100 %';
    return (v >= 99 ? v.toFixed(2) : v.toFixed(1)) + ' %';
  }

  function time(iso, text) {
    const t = el('time', '', text);
    if (typeof iso === 'string' && iso) {
      t.dateTime = iso;
      t.title = iso;
    }
    return t;
  }

  function clock(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso || '');
    const opts = { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
    if (d.toDateString() === new Date().toDateString()) return d.toLocaleTimeString([], opts);
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + d.toLocaleTimeString([], opts);
  }

  // ago is how long before the answer's own time (the server's clock, not
  // the browser's) iso was: "12 s ago".
  function ago(iso, now) {
    const d = Date.parse(iso);
    if (Number.isNaN(d) || Number.isNaN(now)) return clock(iso);
    const s = Math.max(0, Math.round((now - d) / 1000));
    if (s < 90) return s + ' s ago';
    if (s < 90 * 60) return Math.round(s / 60) + ' min ago';
    if (s < 36 * 3600) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' d ago';
  }

  function level(a) {
    if (typeof a !== 'number' || !Number.isFinite(a)) return 'none';
    return a >= OK ? 'ok' : a >= WARN ? 'warn' : 'bad';
  }

  function hide() {
    $('fleet-section').hidden = true;
    $('fleet').replaceChildren();
    root.dataset.fleet = absent ? 'absent' : 'hidden';
  }

  function instances(list, now) {
    const rows = list.filter((i) => i && typeof i === 'object').map((i) => ({ i, s: norm(i.status) }));
    rows.sort((a, b) => RANK[a.s] - RANK[b.s] || (String(a.i.instance) < String(b.i.instance) ? -1 : 1));
    const wrap = el('div', 'fleet-scroll');
    const table = el('table', 'fleet-instances');
    const gone = rows.filter((r) => r.s === 'gone').length;
    table.append(el('caption', '', 'Instances: ' + rows.length + (gone ? ', ' + gone + ' gone' : '')));
    const head = el('tr');
    for (const h of ['Instance', 'Status', 'Version', 'Last seen', 'Started']) {
      const th = el('th', '', h);
      th.scope = 'col';
      head.append(th);
    }
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const { i, s } of rows) {
      const tr = el('tr', s === 'gone' ? 'gone' : '');
      tr.dataset.instance = String(i.instance || '');
      tr.dataset.status = s;
      const name = el('th', 'name', i.instance || '(unnamed)');
      name.scope = 'row';
      const st = el('td');
      st.append(badge(s));
      const seen = el('td');
      seen.append(time(i.last_seen, ago(i.last_seen, now)));
      const started = el('td');
      started.append(time(i.started_at, clock(i.started_at)));
      tr.append(name, st, el('td', '', i.version || '\u2014'), seen, started);
      tbody.append(tr);
    }
    table.append(thead, tbody);
    wrap.append(table);
    return wrap;
  }

  // days draws the 30-day bar, oldest day first: one segment per day, its
  // colour by availability, its title the day and the percentage; the bar's
  // label says the same in words for those who cannot see it.
  function days(list) {
    const bar = el('div', 'days');
    const n = { ok: 0, warn: 0, bad: 0, none: 0 };
    let worst = null;
    for (const d of list) {
      const day = d && typeof d.day === 'string' ? d.day : '';
      const a = d ? d.availability : null;
      const lv = level(a);
      n[lv]++;
      if (lv !== 'none' && (!worst || a < worst.a)) worst = { a, day };
      const seg = el('span', 'day d-' + lv);
      seg.dataset.day = day;
      seg.dataset.level = lv;
      seg.title = day + ': ' + (lv === 'none' ? 'no data' : pct(a));
      bar.append(seg);
    }
    bar.setAttribute('role', 'img');
    let label = 'Availability per day over the last ' + list.length + ' days: ' + n.ok + ' at ' + pct(OK) + ' or more';
    if (n.warn) label += ', ' + n.warn + ' below ' + pct(OK);
    if (n.bad) label += ', ' + n.bad + ' below ' + pct(WARN);
    if (n.none) label += ', ' + n.none + ' without data';
    if (worst && worst.a < OK) label += '; worst ' + pct(worst.a) + ' on ' + worst.day;
    bar.setAttribute('aria-label', label);
    return bar;
  }

  function check(name, c) {
    const a = el('article', 'card fleet-check');
    a.dataset.check = name;
    const head = el('div', 'card-head');
    head.append(el('span', 'name', name));
    a.append(head);
    const av = c.availability && typeof c.availability === 'object' ? c.availability : {};
    const dl = el('dl', 'stats');
    for (const [k, label] of [['24h', 'up 24 h'], ['7d', 'up 7 d'], ['30d', 'up 30 d']]) {
      const d = el('div', 'stat');
      d.dataset.window = k;
      d.append(el('dt', '', label), el('dd', '', pct(av[k])));
      dl.append(d);
    }
    a.append(dl, el('div', 'caption', 'availability across the fleet'));
    const list = Array.isArray(c.days) ? c.days : [];
    if (list.length) {
      a.append(days(list));
      const first = list[0] && list[0].day; const lastDay = list[list.length - 1] && list[list.length - 1].day;
      a.append(el('div', 'caption days-caption', list.length + ' days, ' + (first || '') + ' to ' + (lastDay || '')));
    }
    const tr = (Array.isArray(c.transitions) ? c.transitions : []).filter((e) => e && typeof e === 'object');
    const box = el('div', 'tl');
    box.append(el('div', 'caption', tr.length ? 'Transitions, newest first' : 'Transitions: none'));
    if (tr.length) {
      const ol = el('ol', 'timeline');
      for (const e of tr.slice(0, TRANSITIONS)) { // the route sends them newest first
        const li = el('li');
        li.dataset.to = norm(e.to);
        li.append(time(e.time, clock(e.time)), el('span', 'inst', e.instance || ''),
          el('span', '', ' ' + norm(e.from) + ' \u2192 ' + norm(e.to)));
        if (e.message) li.append(el('span', '', ': ' + e.message));
        ol.append(li);
      }
      box.append(ol);
      if (tr.length > TRANSITIONS) box.append(el('div', 'caption', (tr.length - TRANSITIONS) + ' earlier not shown'));
    }
    a.append(box);
    return a;
  }

  function draw(data) {
    const now = Date.parse(data.generated_at);
    const box = $('fleet');
    const parts = [instances(Array.isArray(data.instances) ? data.instances : [], now)];
    const checks = data.checks && typeof data.checks === 'object' ? data.checks : {};
    const names = Object.keys(checks).filter((k) => checks[k] && typeof checks[k] === 'object');
    // The least available over 24 h first, then by name.
    const a24 = (k) => { const v = checks[k].availability && checks[k].availability['24h']; return typeof v === 'number' ? v : 2; };
    names.sort((x, y) => a24(x) - a24(y) || (x < y ? -1 : x > y ? 1 : 0));
    const cards = el('div', 'cards fleet-checks');
    for (const k of names) cards.append(check(k, checks[k]));
    if (names.length) parts.push(cards);
    box.replaceChildren(...parts);
    $('fleet-caption').textContent = (data.service ? data.service + ', ' : '') + 'as of ' + clock(data.generated_at);
    $('fleet-section').hidden = false;
    root.dataset.fleet = 'shown';
    root.dataset.fleetDraws = String(Number(root.dataset.fleetDraws || 0) + 1);
  }

  async function load() {
    if (absent || busy || document.hidden) return;
    const token = getToken();
    if (!token || root.dataset.token !== 'accepted') { last = null; hide(); return; }
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + token };
    if (last && last.token === token && last.tag) headers['If-None-Match'] = last.tag;
    busy = true;
    const ctl = new AbortController();
    const kill = setTimeout(() => ctl.abort(), 10000);
    try {
      const res = await fetch(new URL('fleet', location.href), {
        method: 'GET', headers, signal: ctl.signal, mode: 'same-origin', credentials: 'same-origin',
        cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer',
      });
      if (res.status === 404) { absent = true; last = null; hide(); return; }
      if (res.status === 304 && last && last.token === token) return; // unchanged: left as drawn
      if (!res.ok) { last = null; hide(); return; } // 401, 403: status.js deals with the token
      let data = null;
      try { data = await res.json(); } catch (e) { data = null; }
      if (!data || typeof data !== 'object' || getToken() !== token) return;
      last = { token, tag: res.headers.get('ETag') || '', data };
      draw(data);
    } catch (e) {
      // Unreachable or timed out: status.js says so; the view is kept.
    } finally {
      clearTimeout(kill);
      busy = false;
      root.dataset.fleetLoads = String(Number(root.dataset.fleetLoads || 0) + 1);
    }
  }

  document.addEventListener('healthcheck:refreshed', load);
})();
