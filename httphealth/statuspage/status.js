(() => {
  'use strict';
  // The status page of httphealth. It reads the same origin only: the
  // public route ("./") without a token, the detailed route
  // ("detailed?series=1&history=1&compact=24") with one, sent as a Bearer
  // header: past 24 checks the healthy ones come compact (no series,
  // details or history), which keeps a refresh of 1,000 checks under 1 MB.
  // The detailed answers are revalidated (If-None-Match with their ETag):
  // an unchanged one is a 304 without a body and leaves the page as it is,
  // and a changed one rebuilds only the cards whose data changed. A hidden
  // tab does not refresh; it refreshes at once when shown again.
  // The token lives in sessionStorage (this tab) and never in a URL.
  const { KEY, el, getToken } = healthPage; // common.js
  const STATUSES = ['healthy', 'degraded', 'unhealthy'];
  const RANK = { unhealthy: 0, unknown: 1, degraded: 2, healthy: 3 };
  const COMPACT_PAST = 24;
  const count = (n) => n.toLocaleString('en-US');
  const root = document.documentElement;
  const publicErrors = root.dataset.publicErrors === '1';
  const $ = (id) => document.getElementById(id);
  const every = (() => {
    const v = Number(new URLSearchParams(location.search).get('refresh'));
    return Number.isFinite(v) && v >= 1 && v <= 3600 ? v : 5;
  })();
  let timer = 0;
  let seq = 0;
  let inflight = null;
  // The last 200 of the detailed route and of the expanded checks' request,
  // kept to revalidate them: { token, tag, data }.
  let main = null;
  let extra = null;
  // What the cards show (the ETags and the expanded checks), '' when the
  // page must be drawn again; and each card as drawn: name -> { key, el }.
  let drawn = '';
  const cards = new Map();
  // Healthy checks shown in full on demand (a click on their tile): their
  // series is fetched with check=, for them only, on each refresh.
  const expanded = new Set();

  const norm = (s) => (STATUSES.includes(s) ? s : 'unknown');


  function badge(status) {
    const s = norm(status);
    return el('span', 'badge st-' + s, s);
  }


  function putToken(t) {
    try {
      if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY);
    } catch (e) { /* storage disabled: the token is not kept */ }
  }

  function request(path, headers, signal) {
    return fetch(new URL(path, location.href), {
      method: 'GET', headers, signal, mode: 'same-origin', credentials: 'same-origin',
      cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer',
    });
  }

  // Formatting.
  function ms(v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return '\u2014';
    if (v < 1) return v.toFixed(2) + ' ms';
    if (v < 100) return v.toFixed(1) + ' ms';
    if (v < 10000) return Math.round(v) + ' ms';
    return (v / 1000).toFixed(1) + ' s';
  }

  function pct(x) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return '\u2014';
    const v = x * 100;
    if (v >= 100) return '100 %';
    return (v >= 99 ? v.toFixed(2) : v.toFixed(1)) + ' %';
  }

  function rate(w) {
    if (!w || typeof w !== 'object') return 'n/a';
    return w.runs > 0 ? pct(w.success_rate) : 'no runs';
  }

  function when(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso || '');
    const now = new Date();
    const opts = { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
    if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString([], opts);
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + d.toLocaleTimeString([], opts);
  }

  // UI state.
  function setOverall(status) {
    const s = norm(status);
    const b = $('overall');
    b.className = 'badge big st-' + s;
    b.textContent = s;
    root.dataset.overall = s;
  }

  function notice(id, text) {
    const n = $(id);
    n.textContent = text || '';
    n.hidden = !text;
  }

  function tokenMsg(text, alert) {
    const m = $('token-msg');
    m.textContent = text || '';
    m.className = alert ? 'note alert' : 'note';
  }

  function syncAuth() {
    const has = !!getToken();
    $('token-forget').hidden = !has;
    $('token-submit').textContent = has ? 'Replace token' : 'Show details';
  }

  function stamp() {
    const t = $('refreshed');
    const now = new Date();
    t.dateTime = now.toISOString();
    t.textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  }

  // The maintenance banner: the detailed answer's "maintenance" object
  // while this replica is out of rotation on purpose.
  function showMaintenance(m) {
    const on = !!(m && typeof m === 'object' && m.active === true);
    root.dataset.maintenance = on ? 'on' : 'off';
    notice('maintenance', on ? 'In maintenance until ' + when(m.until) + ': ' + String(m.reason || '') + (m.by ? ' (by ' + m.by + ')' : '') : '');
  }

  // Rendering.
  function showPublic(status, message) {
    showMaintenance(null);
    drawn = '';
    cards.clear();
    setOverall(status);
    $('version').textContent = 'not shown';
    $('checks').replaceChildren();
    $('healthy').replaceChildren();
    $('downstream').replaceChildren();
    $('summary').hidden = true;
    $('checks-section').hidden = true;
    $('healthy-section').hidden = true;
    $('downstream-section').hidden = true;
    $('public-note').hidden = false;
    notice('public-msg', message);
    root.dataset.state = 'public';
  }

  function stat(dl, label, value) {
    const d = el('div', 'stat');
    d.append(el('dt', '', label), el('dd', '', value));
    dl.append(d);
  }

  function seriesOf(c, t) {
    if (t && Array.isArray(t.series) && t.series.length > 0) {
      return {
        points: t.series.map((p) => ({
          v: p && p.runs > 0 && typeof p.mean_ms === 'number' ? p.mean_ms : null,
          fail: !!(p && p.failures > 0),
        })),
        label: 'mean latency per ' + (t.series.length >= 60 ? 'minute' : 'bucket') + ', last ' + ((t.short && t.short.window) || 'hour'),
      };
    }
    if (Array.isArray(c.history) && c.history.length > 0) {
      return {
        points: c.history.map((h) => ({
          v: h && typeof h.response_time_ms === 'number' ? h.response_time_ms : null,
          fail: !!(h && h.status !== 'healthy'),
        })),
        label: 'latency of the last ' + c.history.length + ' runs',
      };
    }
    return null;
  }

  function sparkline(points, label) {
    const NS = 'http://www.w3.org/2000/svg';
    const W = 120; const H = 32; const pad = 3;
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    const vals = points.map((p) => p.v).filter((v) => v !== null);
    const max = Math.max(0.001, ...vals);
    const title = document.createElementNS(NS, 'title');
    title.textContent = label + (vals.length ? ', max ' + ms(max) : ', no runs');
    svg.append(title);
    const n = points.length;
    const x = (i) => (n <= 1 ? W / 2 : (i * W) / (n - 1));
    const y = (v) => (H - pad - (v / max) * (H - 2 * pad)).toFixed(2);
    const base = document.createElementNS(NS, 'line');
    base.setAttribute('class', 'base');
    base.setAttribute('x1', '0'); base.setAttribute('x2', String(W));
    base.setAttribute('y1', String(H - 0.5)); base.setAttribute('y2', String(H - 0.5));
    svg.append(base);
    let seg = [];
    const flush = () => {
      if (seg.length === 1) seg.push((Number(seg[0].split(',')[0]) + 0.8).toFixed(2) + ',' + seg[0].split(',')[1]);
      if (seg.length > 1) {
        const pl = document.createElementNS(NS, 'polyline');
        pl.setAttribute('points', seg.join(' '));
        svg.append(pl);
      }
      seg = [];
    };
    points.forEach((p, i) => {
      if (p.v === null) { flush(); return; }
      seg.push(x(i).toFixed(2) + ',' + y(p.v));
    });
    flush();
    const bw = Math.max(1.2, W / Math.max(n, 1) - 0.4);
    points.forEach((p, i) => {
      if (!p.fail) return;
      const r = document.createElementNS(NS, 'rect');
      r.setAttribute('class', 'fail');
      r.setAttribute('x', Math.max(0, Math.min(W - bw, x(i) - bw / 2)).toFixed(2));
      r.setAttribute('y', String(H - 3));
      r.setAttribute('width', bw.toFixed(2));
      r.setAttribute('height', '3');
      svg.append(r);
    });
    return svg;
  }

  function transitionsOf(c, t) {
    if (t && Array.isArray(t.transitions)) {
      return { list: t.transitions, label: 'Transitions, last ' + ((t.long && t.long.window) || '24h') };
    }
    if (Array.isArray(c.history) && c.history.length > 1) {
      const list = [];
      for (let i = 1; i < c.history.length; i++) {
        const a = c.history[i - 1]; const b = c.history[i];
        if (a && b && a.status !== b.status) list.push({ from: a.status, to: b.status, time: b.time, message: b.error || '' });
      }
      return { list, label: 'Transitions in the last ' + c.history.length + ' runs' };
    }
    return null;
  }

  function timeline(tr) {
    const box = el('div', 'tl');
    box.append(el('div', 'caption', tr.label + (tr.list.length ? '' : ': none')));
    if (!tr.list.length) return box;
    const ol = el('ol', 'timeline');
    for (let i = tr.list.length - 1; i >= 0; i--) { // newest first
      const e = tr.list[i] || {};
      const li = el('li');
      const tm = el('time', '', when(e.time));
      if (e.time) tm.dateTime = String(e.time);
      li.append(tm, el('span', '', norm(e.from) + ' \u2192 ' + norm(e.to)));
      if (e.message) li.append(el('span', '', ': ' + e.message));
      li.dataset.to = norm(e.to);
      ol.append(li);
    }
    box.append(ol);
    return box;
  }

  function isDownstream(c) {
    if (c.downstream !== undefined) return c.downstream === true;
    const d = c.details; // before the detailed JSON carried "downstream"
    return !!(d && typeof d.health === 'string' && typeof d.url === 'string');
  }

  function card(name, c, criticality, downstream) {
    const s = norm(c.status);
    const t = c.trends && typeof c.trends === 'object' ? c.trends : null;
    const a = el('article', 'card b-' + s);
    a.dataset.check = name;
    a.dataset.status = s;
    const head = el('div', 'card-head');
    head.append(el('span', 'name', name), badge(s));
    if (criticality) head.append(el('span', 'crit', criticality));
    if (expanded.has(name)) {
      const less = el('button', 'less', 'Less');
      less.type = 'button';
      less.addEventListener('click', () => { expanded.delete(name); refresh(); });
      head.append(less);
    }
    a.append(head);
    const dl = el('dl', 'stats');
    stat(dl, 'latency now', ms(c.response_time_ms));
    stat(dl, 'success 1 h', t ? rate(t.short) : 'n/a');
    stat(dl, 'success 24 h', t ? rate(t.long) : 'n/a');
    a.append(dl);
    if (t && t.short && t.short.runs > 0) {
      a.append(el('div', 'caption', 'p50 ' + ms(t.short.p50_ms) + ' \u00b7 p95 ' + ms(t.short.p95_ms) + ' over ' + (t.short.window || '1h')));
    } else if (!t && typeof c.availability === 'number') {
      a.append(el('div', 'caption', 'success of the recent runs ' + pct(c.availability)));
    }
    const series = seriesOf(c, t);
    if (series) a.append(sparkline(series.points, series.label), el('div', 'caption', series.label));
    if (c.error) a.append(el('p', 'msg', c.error));
    const d = c.details && typeof c.details === 'object' ? c.details : null;
    if (downstream && d) {
      if (typeof d.url === 'string') a.append(el('div', 'url', d.url));
      if (d.checks && typeof d.checks === 'object') {
        const ul = el('ul', 'nested');
        for (const n of Object.keys(d.checks).sort()) {
          const li = el('li');
          li.dataset.check = n;
          li.dataset.status = norm(d.checks[n]);
          li.append(el('span', '', n + ' '), badge(d.checks[n]));
          ul.append(li);
        }
        a.append(ul);
      } else if (typeof d.checks_error === 'string') {
        a.append(el('div', 'caption', 'its checks: ' + d.checks_error));
      }
    }
    const tr = transitionsOf(c, t);
    if (tr) a.append(timeline(tr));
    return a;
  }

  // A healthy check sent compact (compact=N): one line, no series.
  function compactCard(name, c, criticality) {
    const a = el('article', 'card compact b-healthy');
    a.dataset.check = name;
    a.dataset.status = 'healthy';
    const t = c.trends && typeof c.trends === 'object' ? c.trends : null;
    const head = el('div', 'card-head');
    head.append(el('span', 'name', name), badge('healthy'));
    a.append(head);
    const line = ms(c.response_time_ms) + (t && t.short ? ' \u00b7 ' + rate(t.short) + ' 1 h' : '') +
      (criticality ? ' \u00b7 ' + criticality : '');
    a.append(el('div', 'caption', line));
    a.title = name + ': healthy, ' + line + ' (click for its trends)';
    a.tabIndex = 0;
    const open = () => { expanded.add(name); refresh(); };
    a.addEventListener('click', open);
    a.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
    return a;
  }

  // summary writes "3 of 1,000 checks failing" (unhealthy), and the
  // degraded and unchecked ones, above everything else, in the colour of
  // the overall status (an optional check failing only degrades it).
  function summary(all, overall) {
    const n = { unhealthy: 0, degraded: 0, unknown: 0, healthy: 0 };
    for (const e of all) n[e.s]++;
    let text = count(n.unhealthy) + ' of ' + count(all.length) + ' check' + (all.length === 1 ? '' : 's') + ' failing';
    if (n.degraded) text += ', ' + count(n.degraded) + ' degraded';
    if (n.unknown) text += ', ' + count(n.unknown) + ' not checked yet';
    const p = $('summary');
    p.textContent = text;
    p.className = 'summary st-' + norm(overall);
    p.hidden = false;
  }

  // cardFor returns the card of a check, the one already drawn when its
  // data, criticality and expansion are those it was drawn from.
  function cardFor(e, isDown) {
    const compact = e.c.compact === true && !isDown;
    const key = JSON.stringify([e.c, e.crit || '', isDown, compact, expanded.has(e.name)]);
    const had = cards.get(e.name);
    if (had && had.key === key) return had.el;
    const el = compact ? compactCard(e.name, e.c, e.crit) : card(e.name, e.c, e.crit, isDown);
    cards.set(e.name, { key, el });
    return el;
  }

  // fill makes box hold els in order, moving no node that is in place.
  function fill(box, els) {
    const now = box.children;
    if (now.length === els.length && els.every((e, i) => now[i] === e)) return;
    box.replaceChildren(...els);
  }

  // showDetailed draws data, with the checks of more (the expanded ones,
  // in full) in place of data's.
  function showDetailed(data, more) {
    const checks = Object.assign({}, data && data.checks && typeof data.checks === 'object' ? data.checks : {}, more || {});
    const deps = (data && data.dependencies) || {};
    setOverall(data && data.status);
    showMaintenance(data && data.maintenance);
    $('version').textContent = (data && data.version) || '(none)';
    const all = Object.keys(checks).map((name) => {
      const c = checks[name] && typeof checks[name] === 'object' ? checks[name] : {};
      return { name, c, s: norm(c.status), crit: deps[name] };
    });
    // Failing first, then unchecked, degraded, healthy; required before
    // optional; then by name.
    all.sort((a, b) => RANK[a.s] - RANK[b.s] || (a.crit === 'required' ? 0 : 1) - (b.crit === 'required' ? 0 : 1) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    summary(all, data && data.status);
    const own = []; const down = []; const ok = [];
    const seen = new Set();
    for (const e of all) {
      const isDown = isDownstream(e.c);
      const el = cardFor(e, isDown);
      seen.add(e.name);
      if (e.c.compact === true && !isDown) ok.push(el);
      else (isDown ? down : own).push(el);
    }
    for (const n of [...cards.keys()]) if (!seen.has(n)) cards.delete(n);
    fill($('checks'), own);
    fill($('healthy'), ok);
    fill($('downstream'), down);
    $('checks-count').textContent = '(' + count(own.length) + ')';
    $('healthy-count').textContent = '(' + count(ok.length) + ')';
    $('checks-section').hidden = own.length === 0;
    $('healthy-section').hidden = ok.length === 0;
    $('downstream-section').hidden = down.length === 0;
    $('public-note').hidden = true;
    notice('public-msg', '');
    root.dataset.state = 'detailed';
  }

  // Loading.
  async function loadPublic(signal, my) {
    const res = await request('./', { Accept: 'application/json' }, signal);
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (my !== seq) return;
    if (body && body.status === 'success' && body.data) {
      const h = body.data.health;
      showPublic(h === 'ok' ? 'healthy' : h === 'degraded' ? 'degraded' : 'unknown', '');
    } else if (body && body.status === 'error') {
      const msg = typeof body.error === 'string' && body.error !== 'unhealthy' ? body.error : '';
      showPublic('unhealthy', publicErrors ? msg : '');
    } else {
      showPublic('unknown', '');
      notice('conn', 'The health route answered HTTP ' + res.status + ' without a health body.');
      return false;
    }
    return true;
  }

  // detailedHeaders are the headers of a detailed request: the token, and
  // the ETag of the last answer to revalidate (with the same token).
  function detailedHeaders(token, last) {
    const h = { Accept: 'application/json', Authorization: 'Bearer ' + token };
    if (last && last.token === token && last.tag) h['If-None-Match'] = last.tag;
    return h;
  }

  async function loadDetailed(token, signal, my) {
    const res = await request('detailed?series=1&history=1&compact=' + COMPACT_PAST, detailedHeaders(token, main), signal);
    if (my !== seq) return true;
    if (res.status === 401 || res.status === 403) {
      main = null; extra = null;
      putToken('');
      root.dataset.token = 'rejected';
      syncAuth();
      $('token').value = '';
      tokenMsg('Token rejected (HTTP ' + res.status + '). Paste a valid token to see the checks.', true);
      return loadPublic(signal, my);
    }
    let data = null;
    if (res.status === 304 && main && main.token === token) {
      data = main.data; // unchanged: the answer kept
      root.dataset.notModified = String(Number(root.dataset.notModified || 0) + 1);
    } else {
      try { data = await res.json(); } catch (e) { data = null; }
      if (my !== seq) return true;
      main = res.ok && data && typeof data.checks === 'object' ? { token, tag: res.headers.get('ETag') || '', data } : null;
    }
    if (!main) {
      await loadPublic(signal, my);
      notice('conn', 'The detailed route answered HTTP ' + res.status + '; showing the overall status only.');
      return false;
    }
    if (root.dataset.token !== 'accepted') tokenMsg('Token accepted for this tab.');
    root.dataset.token = 'accepted';
    const more = await expand(data, token, signal);
    if (my !== seq) return true;
    // Drawn again only when an answer changed (or has no ETag) or the
    // expanded checks did.
    const what = main.tag && (!more || (extra && extra.tag)) ? [main.tag, more ? extra.tag : '', [...expanded].sort().join(',')].join('|') : '';
    if (what === '' || what !== drawn) {
      showDetailed(data, more);
      drawn = what;
      root.dataset.draws = String(Number(root.dataset.draws || 0) + 1);
    }
    return true;
  }

  // expand returns the full form (series included) of the expanded checks
  // that data has compact, fetched for them only (revalidated like the
  // main answer), or null when there are none or they could not be read.
  async function expand(data, token, signal) {
    const names = [...expanded].filter((n) => data.checks[n] && data.checks[n].compact === true).sort();
    for (const n of expanded) if (!data.checks[n]) expanded.delete(n); // gone, or no longer selected
    if (!names.length) return null;
    const path = 'detailed?series=1&history=1&check=' + encodeURIComponent(names.join(','));
    const last = extra && extra.path === path ? extra : null;
    try {
      const res = await request(path, detailedHeaders(token, last), signal);
      let more = null;
      if (res.status === 304 && last && last.token === token) {
        more = last.data;
      } else {
        more = res.ok ? await res.json() : null;
        if (!more || typeof more.checks !== 'object') { extra = null; return null; }
        extra = { token, path, tag: res.headers.get('ETag') || '', data: more };
      }
      const out = {};
      for (const n of names) if (more.checks[n] && typeof more.checks[n] === 'object') out[n] = more.checks[n];
      return out;
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      return null;
    }
  }

  async function refresh() {
    clearTimeout(timer);
    if (inflight) inflight.abort();
    const my = ++seq;
    const ctl = new AbortController();
    inflight = ctl;
    const kill = setTimeout(() => ctl.abort(), 10000);
    try {
      const token = getToken();
      const ok = token ? await loadDetailed(token, ctl.signal, my) : await loadPublic(ctl.signal, my);
      if (my !== seq) return;
      if (ok) notice('conn', '');
      stamp();
    } catch (e) {
      if (my !== seq) return;
      drawn = ''; // the overall badge below is not the data's: draw it again
      setOverall('unknown');
      root.dataset.state = 'unreachable';
      notice('conn', 'Cannot reach the service (' + (e && e.name === 'AbortError' ? 'timeout' : 'network error') + '). Retrying every ' + every + ' s.');
    } finally {
      clearTimeout(kill);
      if (my === seq) {
        inflight = null;
        root.dataset.refreshes = String(Number(root.dataset.refreshes || 0) + 1);
        document.dispatchEvent(new Event('healthcheck:refreshed')); // fleet.js refreshes its view
        if (!document.hidden) timer = setTimeout(refresh, every * 1000);
      }
    }
  }

  function submit() {
    const input = $('token');
    const v = input.value.trim();
    input.value = '';
    if (!v) { tokenMsg('Paste a token first.', true); return; }
    if (!/^[\x21-\x7e]+$/.test(v)) {
      root.dataset.token = 'rejected';
      tokenMsg('Token rejected: a bearer token is printable ASCII without spaces.', true);
      return;
    }
    putToken(v);
    root.dataset.token = 'pending';
    tokenMsg('Checking the token\u2026');
    syncAuth();
    refresh();
  }

  $('token-submit').addEventListener('click', submit);
  $('token').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); submit(); } });
  $('token-forget').addEventListener('click', () => {
    putToken('');
    root.dataset.token = 'none';
    tokenMsg('Token forgotten.');
    syncAuth();
    refresh();
  });
  // A hidden tab stops refreshing (no timer runs while hidden) and
  // refreshes at once when shown again.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) clearTimeout(timer);
    else refresh();
  });
  $('every').textContent = 'refreshes every ' + every + ' s';
  root.dataset.token = getToken() ? 'pending' : 'none';
  syncAuth();
  refresh();
})();
