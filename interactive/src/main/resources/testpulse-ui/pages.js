// The four pages. Each renders into ctx.main from the public API only and registers what to stop on leave.
import { api, liveTransitions } from './api.js';
import { esc, time, relative, ms, pct, score, count, state } from './format.js';
import { lineChart, barChart } from './chart.js';

const DAY_MS = 86400000;
const STATES = ['flaky', 'quarantined', 'broken', 'healthy'];
const LIST_LIMIT = 100; // at most testpulse.query.max.page.size (default 500), or the list answers 400

function query(params) {
  const q = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return q ? `?${q}` : '';
}

function testLink(id, label) {
  return `<a href="#/test/${esc(id)}">${esc(label)}</a>`;
}

/** Every active quarantine of the tenant (usually a handful), following the pages' cursors. */
async function allQuarantined(signal) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 20; page += 1) {
    // eslint-disable-next-line no-await-in-loop
    const answer = await api(`/api/v1/quarantined${query({ limit: LIST_LIMIT, cursor })}`, { signal });
    items.push(...(answer.items || []));
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return { items };
}

function empty(message) {
  return `<p class="empty">${message}</p>`;
}

// ---------------------------------------------------------------- flaky tests now

export async function flakyPage(ctx) {
  const suite = ctx.params.get('suite') || '';
  const filter = ctx.params.get('state') || 'flaky';
  ctx.setTitle(`${filter === 'all' ? 'All' : filter[0].toUpperCase() + filter.slice(1)} tests${suite ? ` of ${suite}` : ''}`);
  ctx.main.innerHTML = `
    <h1>Flaky tests now</h1>
    <form class="filters" id="filters">
      <label>State <select name="state">${['all', ...STATES].map((s) => `<option value="${s}"${s === filter ? ' selected' : ''}>${s}</option>`).join('')}</select></label>
      <label>Suite <input name="suite" value="${esc(suite)}" placeholder="any suite" pattern="[A-Za-z0-9._\\-]{1,128}"></label>
      <button type="submit">Filter</button>
    </form>
    <div id="list" aria-live="polite"><p class="muted">Loading…</p></div>
    <section class="live" aria-labelledby="live-title">
      <h2 id="live-title">Live transitions <span id="live-status" class="pill">connecting…</span></h2>
      <ol id="live" class="live-list"></ol>
      <p class="muted" id="live-empty">State changes appear here as they happen; the list above refreshes on its own.</p>
    </section>`;
  ctx.main.querySelector('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    window.location.hash = `#/flaky${query({ state: form.get('state'), suite: form.get('suite').trim() })}`;
  });

  const names = new Map();
  async function load() {
    const [page, quarantined] = await Promise.all([
      api(`/api/v1/tests${query({ state: filter === 'all' ? '' : filter, suite, sort: 'score', limit: LIST_LIMIT })}`, { signal: ctx.signal }),
      allQuarantined(ctx.signal),
    ]);
    const byId = new Map((quarantined.items || []).map((q) => [q.test_id, q]));
    const items = page.items || [];
    items.forEach((t) => names.set(t.test_id, t.name));
    ctx.main.querySelectorAll('#live li').forEach((li) => {
      if (names.has(li.dataset.testId)) li.querySelector('a').textContent = `${li.dataset.suite} · ${names.get(li.dataset.testId)}`;
    });
    const list = ctx.main.querySelector('#list');
    const warn = page.partial ? `<p class="warn" role="status">Partial answer: partitions ${esc((page.missing_partitions || []).join(', '))} did not answer; some tests may be missing.</p>` : '';
    if (items.length === 0) {
      list.innerHTML = warn + empty(`No ${filter === 'all' ? '' : esc(filter)} tests${suite ? ` in suite <b>${esc(suite)}</b>` : ''} right now.
        ${filter === 'flaky' ? 'A test becomes flaky when it passes and fails on the same commit.' : ''}`);
      return;
    }
    list.innerHTML = `${warn}<div class="scroll"><table class="tests">
      <caption>${count(items.length)} test${items.length === 1 ? '' : 's'}, most flaky first${page.next_cursor ? ` (the first ${LIST_LIMIT})` : ''}</caption>
      <thead><tr><th scope="col">Test</th><th scope="col">Suite</th><th scope="col">State</th>
        <th scope="col" class="num">Score</th><th scope="col" class="num hide-s">Reliability</th>
        <th scope="col" class="num hide-s">Runs</th><th scope="col" class="hide-s">Since</th></tr></thead>
      <tbody>${items.map((t) => {
    const q = byId.get(t.test_id);
    const mark = q ? `<div class="qmark">quarantined ${q.expires_at ? `until ${time(q.expires_at)} (${esc(relative(q.expires_at))})` : 'with no expiry'}${q.reason ? `: ${esc(q.reason)}` : ''}</div>` : '';
    return `<tr data-test-id="${esc(t.test_id)}" data-state="${esc((t.state || '').toLowerCase())}">
          <td>${testLink(t.test_id, t.name)}<div class="sub">${esc(t.scope)}</div>${mark}</td>
          <td>${esc(t.suite)}</td><td>${state(t.state)}</td><td class="num">${score(t.score)}</td>
          <td class="num hide-s">${pct(t.reliability)}</td><td class="num hide-s">${count(t.executions)}</td>
          <td class="hide-s">${time(t.state_since)}</td></tr>`;
  }).join('')}</tbody></table></div>`;
  }

  await load();
  let refresh = null;
  const stop = liveTransitions({
    onOpen: () => {
      ctx.main.querySelector('#live-status').textContent = 'live';
      ctx.main.dataset.live = 'open';
    },
    onClosed: (error) => {
      ctx.main.dataset.live = 'closed';
      const status = ctx.main.querySelector('#live-status');
      if (status) status.textContent = error ? error.message : 'reconnecting…';
    },
    onEvent: (name, t) => {
      if (name !== 'transition' || (suite && t.suite !== suite)) return;
      ctx.main.querySelector('#live-empty').hidden = true;
      const li = document.createElement('li');
      li.dataset.testId = t.test_id;
      li.dataset.to = (t.to || '').toLowerCase();
      li.dataset.suite = t.suite;
      li.innerHTML = `${time(t.time)} ${testLink(t.test_id, `${t.suite} · ${names.get(t.test_id) || `${t.test_id.slice(0, 8)}…`}`)}
        ${state(t.from)} → ${state(t.to)} <span class="muted">${esc(t.reason || '')}</span>`;
      const live = ctx.main.querySelector('#live');
      live.prepend(li);
      while (live.children.length > 50) live.lastChild.remove();
      // several transitions often come together: one refresh for the burst
      clearTimeout(refresh);
      refresh = setTimeout(() => load().catch((e) => ctx.report(e)), 300);
    },
  });
  ctx.onLeave(() => {
    stop();
    clearTimeout(refresh);
  });
}

// ---------------------------------------------------------------- one test

/** One point per duration bucket (one day, the default bucket size) from the per-range answers. */
async function dailyDurations(ctx, id, firstSeen, lastSeen) {
  const end = Math.floor(lastSeen / DAY_MS) * DAY_MS + DAY_MS;
  const start = Math.max(Math.floor(firstSeen / DAY_MS) * DAY_MS, end - 14 * DAY_MS);
  const days = [];
  for (let from = start; from < end; from += DAY_MS) days.push(from);
  const answers = await Promise.all(days.map((from) => api(`/api/v1/tests/${id}/durations${query({ from, to: from + DAY_MS })}`, { signal: ctx.signal })
    .catch((e) => {
      if (e.status === 404) return null; // a day without runs: no point
      throw e;
    })));
  return answers.map((a, i) => (a && a.summary && a.summary.count > 0 ? {
    x: days[i], count: a.summary.count, values: { p50: a.summary.p50_ms, p95: a.summary.p95_ms, p99: a.summary.p99_ms },
  } : null)).filter(Boolean);
}

export async function testPage(ctx, id) {
  const t = await api(`/api/v1/tests/${encodeURIComponent(id)}`, { signal: ctx.signal });
  ctx.setTitle(`${t.name} (${(t.state || 'unknown').toLowerCase()})`);
  const q = t.quarantine;
  const recent = t.recent_durations && t.recent_durations.summary;
  ctx.main.innerHTML = `
    <p class="crumbs"><a href="#/flaky">Flaky tests</a> › ${esc(t.suite)}</p>
    <h1>${esc(t.name)}</h1>
    <p class="sub">${esc(t.scope)}${t.file_name ? ` · ${esc(t.file_name)}` : ''} · suite ${esc(t.suite)} · id <code>${esc(t.test_id)}</code></p>
    <section class="state-box" aria-label="State">
      <div>${state(t.state)} since ${time(t.state_since)} <span class="muted">(${t.state_since ? esc(relative(t.state_since)) : 'never changed'})</span></div>
      <div>Why: <b>${esc(t.state_reason || 'no transition yet')}</b></div>
      ${q ? `<div class="qmark">Quarantined ${q.expires_at ? `until ${time(q.expires_at)} (${esc(relative(q.expires_at))})` : 'with no expiry'} by ${esc(q.quarantined_by)}${q.reason ? `: ${esc(q.reason)}` : ''}</div>` : ''}
      ${t.stale ? `<div class="warn">Stale read from a standby, ${count(t.offset_lag)} records behind.</div>` : ''}
    </section>
    <dl class="stats">
      <div><dt>Flakiness score</dt><dd>${score(t.score)}</dd></div>
      <div><dt>Reliability</dt><dd>${pct(t.reliability)}</dd></div>
      <div><dt>Transition score</dt><dd>${score(t.transition_score)}</dd></div>
      <div><dt>Failure rate</dt><dd>${pct(t.failure_rate)}</dd></div>
      <div><dt>Flipped commits</dt><dd>${count(t.flips)}</dd></div>
      <div><dt>Runs</dt><dd>${count(t.executions)} <span class="muted">(${count(t.passed)} passed, ${count(t.failed)} failed, ${count(t.skipped)} skipped)</span></dd></div>
      <div><dt>Last result</dt><dd>${state(t.last_result)} ${time(t.last_seen)}</dd></div>
      <div><dt>First seen</dt><dd>${time(t.first_seen)}</dd></div>
      <div><dt>Last 7 days</dt><dd>${recent ? `p50 ${ms(recent.p50_ms)} · p95 ${ms(recent.p95_ms)} · p99 ${ms(recent.p99_ms)}` : '<span class="muted">no durations</span>'}</dd></div>
    </dl>
    <section id="admin"></section>
    <section aria-labelledby="dur-title"><h2 id="dur-title">Duration per day</h2><div id="durations"><p class="muted">Loading…</p></div></section>
    <section aria-labelledby="tl-title"><h2 id="tl-title">Transitions while this page is open</h2>
      <ol id="timeline" class="live-list"></ol>
      <p class="muted" id="tl-empty">The API has no history of a test's transitions yet; changes appear here live.</p></section>`;

  if (ctx.who && ctx.who.may_quarantine) {
    renderAdmin(ctx, t);
  }
  const points = await dailyDurations(ctx, t.test_id, t.first_seen, t.last_seen);
  ctx.main.querySelector('#durations').innerHTML = points.length === 0
    ? empty('No durations recorded in the last 14 days.')
    : lineChart(points, { title: `${t.name}: p50, p95 and p99 per day (${points.length} day${points.length === 1 ? '' : 's'})` });

  const stop = liveTransitions({
    onOpen: () => { ctx.main.dataset.live = 'open'; },
    onClosed: () => { ctx.main.dataset.live = 'closed'; },
    onEvent: (name, tr) => {
      if (name !== 'transition' || tr.test_id !== t.test_id) return;
      ctx.main.querySelector('#tl-empty').hidden = true;
      const evidence = Object.entries(tr.evidence || {}).map(([k, v]) => `${esc(k)} <code>${esc(v)}</code>`).join(', ');
      const li = document.createElement('li');
      li.innerHTML = `${time(tr.time)} ${state(tr.from)} → ${state(tr.to)} <b>${esc(tr.reason || '')}</b> <span class="muted">${evidence}</span>`;
      ctx.main.querySelector('#timeline').prepend(li);
    },
  });
  ctx.onLeave(stop);
}

function renderAdmin(ctx, t) {
  const admin = ctx.main.querySelector('#admin');
  const inAWeek = new Date(Date.now() + 7 * DAY_MS);
  const local = new Date(inAWeek.getTime() - inAWeek.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  admin.innerHTML = `<h2>Quarantine</h2>
    ${t.quarantine ? '<button type="button" id="release">Release from quarantine</button>' : `
    <form id="quarantine-form" class="filters">
      <label>Reason <input name="reason" required maxlength="1000" placeholder="why, and who follows up"></label>
      <label>Until (your time) <input name="expires" type="datetime-local" value="${local}" required></label>
      <button type="submit">Quarantine</button>
    </form>`}
    <p id="admin-status" role="status" class="muted"></p>`;
  const status = admin.querySelector('#admin-status');
  const after = async (promise, expectQuarantined) => {
    try {
      await promise;
      status.textContent = 'Accepted; waiting for testpulse to apply it…';
      for (let i = 0; i < 60; i += 1) {
        // eslint-disable-next-line no-await-in-loop
        const now = await api(`/api/v1/tests/${t.test_id}`, { signal: ctx.signal });
        if (Boolean(now.quarantine) === expectQuarantined) {
          ctx.rerender();
          return;
        }
        // eslint-disable-next-line no-await-in-loop
        await new Promise((r) => { setTimeout(r, 500); });
      }
      status.textContent = 'Accepted, not applied yet: reload in a moment.';
    } catch (e) {
      if (e.name !== 'AbortError') status.textContent = `Refused: ${e.message}`;
    }
  };
  const form = admin.querySelector('#quarantine-form');
  if (form) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const expiresAt = new Date(data.get('expires')).toISOString();
      after(api(`/api/v1/tests/${t.test_id}/quarantine`, { method: 'PUT', body: { reason: data.get('reason'), expiresAt } }), true);
    });
  }
  const release = admin.querySelector('#release');
  if (release) {
    release.addEventListener('click', () => after(api(`/api/v1/tests/${t.test_id}/quarantine`, { method: 'DELETE' }), false));
  }
}

// ---------------------------------------------------------------- suite durations

export async function durationsPage(ctx) {
  const suite = ctx.params.get('suite') || '';
  const groupBy = ctx.params.get('groupBy') || '';
  const days = Number(ctx.params.get('days')) || 30;
  ctx.setTitle(suite ? `Durations of ${suite}${groupBy ? ` by ${groupBy}` : ''}` : 'Suite durations');
  ctx.main.innerHTML = `
    <h1>Suite durations</h1>
    <form class="filters" id="dur-form">
      <label>Suite <input name="suite" required value="${esc(suite)}" pattern="[A-Za-z0-9._\\-]{1,128}" list="suites"></label>
      <datalist id="suites"></datalist>
      <label>Group by <input name="groupBy" value="${esc(groupBy)}" placeholder="e.g. instance_type,arch"></label>
      <label>Range <select name="days">${[1, 7, 14, 30].map((d) => `<option value="${d}"${d === days ? ' selected' : ''}>last ${d} day${d === 1 ? '' : 's'}</option>`).join('')}</select></label>
      <button type="submit">Show</button>
    </form>
    <p class="muted">Group by a dimension set configured in <code>testpulse.durations.dimensions</code>; leave it empty for the whole suite.</p>
    <div id="dur-result" aria-live="polite"></div>`;
  const form = ctx.main.querySelector('#dur-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    window.location.hash = `#/durations${query({ suite: data.get('suite').trim(), groupBy: data.get('groupBy').replace(/\s/g, ''), days: data.get('days') })}`;
  });
  api(`/api/v1/tests?sort=last_seen&limit=${LIST_LIMIT}`, { signal: ctx.signal }).then((page) => {
    const suites = [...new Set((page.items || []).map((t) => t.suite))].sort();
    ctx.main.querySelector('#suites').innerHTML = suites.map((s) => `<option value="${esc(s)}">`).join('');
  }).catch(() => {});
  const result = ctx.main.querySelector('#dur-result');
  if (!suite) {
    result.innerHTML = empty('Choose a suite to see its duration percentiles.');
    return;
  }
  const to = Date.now();
  const from = to - days * DAY_MS;
  let answer;
  try {
    answer = await api(`/api/v1/suites/${encodeURIComponent(suite)}/durations${query({ groupBy, from, to })}`, { signal: ctx.signal });
  } catch (e) {
    if (e.status === 404) {
      result.innerHTML = empty(`No durations for suite <b>${esc(suite)}</b> in the last ${days} days.`);
      return;
    }
    if (e.status === 400) {
      result.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p>`;
      return;
    }
    throw e;
  }
  const groups = (Array.isArray(answer) ? answer : [answer]).filter((g) => g.summary && g.summary.count > 0);
  const label = (g) => (g.group && Object.keys(g.group).length
    ? Object.entries(g.group).map(([k, v]) => `${k}=${v ?? '(none)'}`).join(', ') : suite);
  groups.sort((a, b) => b.summary.p95_ms - a.summary.p95_ms);
  const short = (g) => (g.group && Object.keys(g.group).length ? Object.values(g.group).map((v) => v ?? '(none)').join(', ') : suite);
  const rows = groups.map((g) => ({ label: short(g), values: { p50: g.summary.p50_ms, p95: g.summary.p95_ms, p99: g.summary.p99_ms } }));
  result.innerHTML = groups.length === 0 ? empty('No durations in this range.') : `
    ${barChart(rows, { title: `${suite}: p50, p95 and p99${groupBy ? ` by ${groupBy}` : ''}, last ${days} days` })}
    <div class="scroll"><table class="groups"><caption>${count(groups.length)} group${groups.length === 1 ? '' : 's'}, slowest p95 first;
      ${time(from)} to ${time(to)}</caption>
      <thead><tr><th scope="col">Group</th><th scope="col" class="num">Runs</th><th scope="col" class="num">p50</th>
      <th scope="col" class="num">p95</th><th scope="col" class="num">p99</th><th scope="col" class="num hide-s">Mean</th><th scope="col" class="num hide-s">Max</th></tr></thead>
      <tbody>${groups.map((g) => `<tr data-group="${esc(label(g))}"><td>${esc(label(g))}</td><td class="num">${count(g.summary.count)}</td>
        <td class="num">${ms(g.summary.p50_ms)}</td><td class="num">${ms(g.summary.p95_ms)}</td><td class="num">${ms(g.summary.p99_ms)}</td>
        <td class="num hide-s">${ms(g.summary.mean_ms)}</td><td class="num hide-s">${ms(g.summary.max_ms)}</td></tr>`).join('')}</tbody></table></div>`;
}

// ---------------------------------------------------------------- instances

async function storeLags(signal) {
  try {
    const response = await fetch(`${window.location.pathname.replace(/\/ui(\/.*)?$/, '')}/metrics`, { signal, cache: 'no-store' });
    if (!response.ok) return [];
    const text = await response.text();
    return text.split('\n').filter((l) => l.startsWith('testpulse_store_offset_lag_max{'))
      .map((l) => ({ store: (l.match(/store="([^"]*)"/) || [])[1], lag: Number(l.split(' ').pop()) }));
  } catch (e) {
    return [];
  }
}

export async function instancesPage(ctx) {
  ctx.setTitle('Instances');
  const [answer, lags] = await Promise.all([api('/api/v1/instances', { signal: ctx.signal }), storeLags(ctx.signal)]);
  const instances = answer.instances || [];
  const parts = (list) => (list && list.length ? esc(list.slice().sort((a, b) => a - b).join(', ')) : '<span class="muted">none</span>');
  ctx.main.innerHTML = `
    <h1>Instances</h1>
    <p>Kafka Streams state of the instance answering: ${state(answer.streams_state)}</p>
    ${instances.length === 0 ? empty('No instance serves partitions yet: the application is starting or rebalancing.') : `
    <div class="scroll"><table class="instances"><caption>${count(instances.length)} instance${instances.length === 1 ? '' : 's'}</caption>
      <thead><tr><th scope="col">Instance</th><th scope="col">Active partitions</th><th scope="col">Standby partitions</th></tr></thead>
      <tbody>${instances.map((i) => `<tr data-host="${esc(i.host)}"><td>${esc(i.host)}${i.self ? ' <span class="pill">this one</span>' : ''}</td>
        <td>${parts(i.active_partitions)}</td><td>${parts(i.standby_partitions)}</td></tr>`).join('')}</tbody></table></div>`}
    <h2>Store lag on this instance</h2>
    ${lags.length === 0 ? empty('No store lag reported (the metrics endpoint did not answer).') : `
    <div class="scroll"><table class="lags"><caption>Largest changelog offset lag per store (0: caught up)</caption>
      <thead><tr><th scope="col">Store</th><th scope="col" class="num">Lag</th></tr></thead>
      <tbody>${lags.map((l) => `<tr><td>${esc(l.store)}</td><td class="num">${count(l.lag)} records</td></tr>`).join('')}</tbody></table></div>`}`;
}
