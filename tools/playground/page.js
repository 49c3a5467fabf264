// The playground's script: reads the state from the URL fragment (or the
// first example), runs the engine (cfkitEngine, the WebAssembly module
// inlined above it) on every change, shows `cfkit bt`'s output in #output
// and the explanation beside it, and keeps the fragment up to date so that
// a link reproduces what is on the screen:
//   #cf=<base64url of the rules' UTF-8>&input=<encodeURIComponent of the
//   input lines>&v=<the cfkit version that made the link>
(function () {
  'use strict';

  const VERSION = document.querySelector('meta[name="cfkit-version"]').content;
  const $ = (id) => document.getElementById(id);
  const html = document.documentElement;
  const rulesEl = $('rules');
  const inputEl = $('input');
  const outputEl = $('output');
  const explainEl = $('explanation');
  const statusEl = $('status');
  const noticeEl = $('notice');
  const exitEl = $('exit-status');
  const examplesEl = $('examples');
  const examples = JSON.parse($('examples-data').textContent);

  // What tests and the curious can read: the version, the time from the
  // start of navigation to the first result, and how many runs were shown.
  const api = { version: VERSION, firstResultMs: null, runs: 0, lastRunMs: null };
  window.cfkitPlayground = api;

  // ---- the URL fragment ----------------------------------------------------

  function base64urlEncode(text) {
    const bytes = new TextEncoder().encode(text);
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function base64urlDecode(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
    while (s.length % 4) s += '=';
    const bin = atob(s);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      return bin;  // not UTF-8: a Latin-1 file, byte for character
    }
  }

  // {cf, input, v}: each null when the fragment does not have it; throws
  // with a readable message when a field cannot be decoded.
  function readFragment() {
    const state = { cf: null, input: null, v: null };
    const h = location.hash.replace(/^#/, '');
    if (!h) return state;
    for (const part of h.split('&')) {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      try {
        if (key === 'cf') state.cf = base64urlDecode(value);
        else if (key === 'input') state.input = decodeURIComponent(value);
        else if (key === 'v') state.v = decodeURIComponent(value);
      } catch (e) {
        throw new Error('the link\'s ' + key + ' field cannot be read (' + e.message + ')');
      }
    }
    return state;
  }

  function fragmentFor(cf, input) {
    return 'cf=' + base64urlEncode(cf) + '&input=' + encodeURIComponent(input) +
      '&v=' + encodeURIComponent(VERSION);
  }

  function saveFragment() {
    const frag = '#' + fragmentFor(rulesEl.value, inputEl.value);
    if (location.hash === frag) return;
    try {
      history.replaceState(null, '', frag);
    } catch (e) {
      location.replace(frag);  // where replaceState is refused
    }
  }

  function showNotice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = !text;
  }

  // ---- the engine ----------------------------------------------------------

  let engine = null;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();

  // Calls cfkit_pg_NAME with the strings as NUL-terminated UTF-8 and
  // returns its result (bytes counted by cfkit_pg_result_size, not by NUL).
  function call(name, args) {
    const ptrs = [];
    try {
      for (const a of args) {
        const bytes = encoder.encode(a);
        const p = engine._malloc(bytes.length + 1);
        engine.HEAPU8.set(bytes, p);
        engine.HEAPU8[p + bytes.length] = 0;
        ptrs.push(p);
      }
      const r = engine['_cfkit_pg_' + name].apply(null, ptrs);
      const n = engine._cfkit_pg_result_size();
      return decoder.decode(engine.HEAPU8.subarray(r, r + n));
    } finally {
      for (const p of ptrs) engine._free(p);
    }
  }

  const EXIT_NAMES = {
    0: 'EX_OK', 64: 'EX_USAGE', 65: 'EX_DATAERR', 66: 'EX_NOINPUT', 67: 'EX_NOUSER',
    68: 'EX_NOHOST', 69: 'EX_UNAVAILABLE', 70: 'EX_SOFTWARE', 71: 'EX_OSERR',
    72: 'EX_OSFILE', 73: 'EX_CANTCREAT', 74: 'EX_IOERR', 75: 'EX_TEMPFAIL',
    76: 'EX_PROTOCOL', 77: 'EX_NOPERM', 78: 'EX_CONFIG',
  };

  let timer = 0;
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(run, delay);
  }

  function run() {
    timer = 0;
    if (!engine) return;
    const cf = rulesEl.value;
    const input = inputEl.value;
    let out, status;
    const t0 = performance.now();
    try {
      out = call('bt', [cf, input]);
      status = engine._cfkit_pg_status();
    } catch (e) {
      engineFailed(e);
      return;
    }
    outputEl.textContent = out;
    exitEl.textContent = 'exit status ' + status + (EXIT_NAMES[status] ? ' (' + EXIT_NAMES[status] + ')' : '');
    exitEl.className = status ? 'bad' : '';
    const t1 = performance.now();
    let lines = null;
    try {
      lines = JSON.parse(call('explain', [cf, input]));
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || (e && /abort/i.test(String(e.message || e)))) {
        engineFailed(e);
        return;
      }  // it stopped: engineFailed() is restarting it
      explainEl.textContent = 'No explanation: ' + e.message;
    }
    if (lines) renderExplanation(lines);
    const t2 = performance.now();
    api.lastRunMs = { bt: Math.round(t1 - t0), explain: Math.round(t2 - t1) };
    api.runs++;
    html.dataset.runs = String(api.runs);
    if (api.firstResultMs === null) {
      api.firstResultMs = Math.round(performance.now());
      html.dataset.firstResultMs = String(api.firstResultMs);
      html.dataset.state = 'ready';
      statusEl.textContent = 'Ready: first result ' + api.firstResultMs + ' ms after loading';
    } else {
      statusEl.textContent = 'Ran in ' + api.lastRunMs.bt + ' ms, explained in ' + api.lastRunMs.explain + ' ms';
    }
  }

  // An abort() inside the engine (a bug: cfkit itself would have crashed)
  // leaves the module unusable: say so, and start a fresh one.
  function engineFailed(e) {
    engine = null;
    html.dataset.state = 'error';
    statusEl.textContent = 'The engine stopped: ' + (e && e.message ? e.message : e) + ' (restarting)';
    outputEl.textContent = '';
    startEngine();
  }

  function startEngine() {
    // eslint-disable-next-line no-undef
    return cfkitEngine().then((m) => {
      engine = m;
      if (html.dataset.state === 'error') {
        html.dataset.state = api.firstResultMs === null ? 'loading' : 'ready';
        statusEl.textContent = 'Engine restarted';
      }
      run();
    }, (e) => {
      html.dataset.state = 'error';
      statusEl.textContent = 'The engine could not be loaded: ' + (e && e.message ? e.message : e);
    });
  }

  // ---- the explanation -----------------------------------------------------

  const MAX_ATTEMPTS = 250;  // rules shown per ruleset run (a loop tries thousands)

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function tokens(list) {
    const s = el('span', 'toks');
    if (!list || !list.length) s.classList.add('none');
    for (const t of list || []) s.append(el('span', 'tok', t));
    return s;
  }

  function labelled(label, node) {
    const d = el('div', 'io');
    d.append(el('span', 'label', label), node);
    return d;
  }

  function renderExplanation(lines) {
    const frag = document.createDocumentFragment();
    for (const x of lines) frag.append(renderLine(x));
    explainEl.replaceChildren(frag);
    if (!lines.length) explainEl.append(el('div', 'empty', 'Type an input line, such as 3,0 user@example.com.'));
  }

  function renderLine(x) {
    const d = el('div', 'xline ' + x.kind);
    d.append(el('div', 'cmd', '> ' + x.line));
    if (x.kind === 'comment') return d;
    if (x.kind !== 'explain') {
      if (x.output) d.append(el('pre', 'out', x.output));
      return d;
    }
    d.append(labelled('tokens', tokens(x.tokens)));
    for (const r of x.runs || []) d.append(renderRun(r));
    // What test mode printed besides the input/returns lines: errors,
    // limits, statuses (and -d traces, in full in #output).
    const said = (x.output || '').split('\n').filter((l) => l && !/^\S+\s+(input|returns): /.test(l));
    if (said.length) {
      const more = said.length > 30 ? '\n… ' + (said.length - 30) + ' more lines in the output' : '';
      d.append(el('pre', 'said', said.slice(0, 30).join('\n') + more));
    }
    return d;
  }

  function renderRun(r) {
    const d = el('div', 'run');
    const head = el('div', 'head');
    head.append('ruleset ', el('span', 'rs', r.name || String(r.ruleset)));
    if (r.name && r.name !== String(r.ruleset)) head.append(' (' + r.ruleset + ')');
    d.append(head, labelled('input', tokens(r.input)));
    const attempts = r.rules || [];
    for (const a of attempts.slice(0, MAX_ATTEMPTS)) d.append(renderAttempt(a));
    if (attempts.length > MAX_ATTEMPTS) {
      d.append(el('div', 'more', '… and ' + (attempts.length - MAX_ATTEMPTS) + ' more rules tried'));
    }
    d.append(labelled('result', tokens(r.result)));
    if (r.ended) d.append(el('div', 'ended', r.ended));
    return d;
  }

  function spanText(a, from, to) {
    if (to < from) return '';
    return (a.input || []).slice(from, to + 1).join(' ');
  }

  function renderAttempt(a) {
    const d = el('div', 'att ' + (a.matched ? 'hit' : 'miss'));
    const top = el('div');
    top.append(el('span', 'mark', a.matched ? '✓' : '✗'));
    const where = el('span', 'where', 'line ' + a.line);
    where.title = 'rule ' + a.rule + ' of the ruleset, ' + (a.file || '') + ' line ' + a.line + ': show it';
    where.addEventListener('click', () => selectLine(a.line));
    top.append(where, el('span', 'rule', 'R' + (a.lhs || []).join(' ') + '   →   ' + (a.rhs || []).join(' ')));
    if (a.backtracks) top.append(el('span', 'bt', '  · ' + a.backtracks + (a.backtracks === 1 ? ' backtrack' : ' backtracks')));
    d.append(top);
    if (!a.matched) {
      if (a.why) d.append(el('div', 'why', a.why));
    } else {
      if (a.spans && a.spans.length) d.append(alignment(a.spans));
      if (a.bindings && a.bindings.length) {
        const b = el('div', 'bindings');
        a.bindings.forEach((text, i) => {
          const s = el('span', 'b');
          s.append(el('span', 'n', '$' + (i + 1) + ' = '), text ? el('code', '', text) : el('span', 'n', 'nothing'));
          b.append(s);
        });
        d.append(b);
      }
      if (a.output) {
        const w = el('div', 'rewritten');
        w.append(el('span', 'label', 'rewritten as '), tokens(a.output));
        d.append(w);
      }
    }
    if (a.steps && a.steps.length) {
      const det = el('details', 'steps');
      det.append(el('summary', '', a.steps.length + (a.steps.length === 1 ? ' span' : ' spans') + ' tried by the wildcards'));
      const ol = el('ol');
      for (const s of a.steps) {
        const lhs = (a.lhs || [])[s.element] || '?';
        const took = spanText(a, s.from, s.to);
        ol.append(el('li', '', lhs + ' took ' + (took ? '“' + took + '”' : 'nothing') + (s.widened ? ' (widened)' : '')));
      }
      det.append(ol);
      d.append(det);
    }
    for (const c of a.calls || []) d.append(renderRun(c));
    return d;
  }

  // The LHS's elements over what each took from the workspace.
  function alignment(spans) {
    const t = el('table', 'align');
    const lhs = el('tr', 'lhs');
    const took = el('tr', 'took');
    for (const s of spans) {
      lhs.append(el('td', '', s.text));
      const text = (s.tokens || []).join(' ');
      took.append(el('td', text ? '' : 'empty', text || 'nothing'));
    }
    t.append(lhs, took);
    return t;
  }

  // Selects line `n` (from 1) of the rules.
  function selectLine(n) {
    const text = rulesEl.value;
    let start = 0;
    for (let i = 1; i < n && start >= 0; i++) start = text.indexOf('\n', start) + 1 || -1;
    if (start < 0) return;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    rulesEl.focus();
    rulesEl.setSelectionRange(start, end);
    const lh = parseFloat(getComputedStyle(rulesEl).lineHeight) || 17;
    rulesEl.scrollTop = Math.max(0, (n - 4) * lh);
  }

  // ---- editing -------------------------------------------------------------

  function load(cf, input) {
    rulesEl.value = cf;
    inputEl.value = input;
    const i = examples.findIndex((x) => x.cf === cf && x.input === input);
    examplesEl.value = i < 0 ? '' : String(i);
  }

  function loadFragment() {
    let state;
    try {
      state = readFragment();
    } catch (e) {
      showNotice('This link could not be read: ' + e.message + '. Showing the first example.');
      load(examples[0].cf, examples[0].input);
      return;
    }
    if (state.cf === null && state.input === null) {
      load(examples[0].cf, examples[0].input);
      showNotice('');
      return;
    }
    load(state.cf || '', state.input || '');
    if (state.v && state.v !== VERSION) {
      showNotice('This link was made with cfkit ' + state.v + '; this page is cfkit ' + VERSION +
        '. If the output differs from what the link was meant to show, that is why.');
    } else {
      showNotice('');
    }
  }

  function edited() {
    examplesEl.value = '';
    saveFragment();
    schedule(40);
  }

  for (const x of examples.entries()) {
    const o = el('option', '', x[1].title);
    o.value = String(x[0]);
    examplesEl.append(o);
  }
  const custom = el('option', '', '(your own)');
  custom.value = '';
  custom.disabled = true;
  examplesEl.append(custom);
  examplesEl.addEventListener('change', () => {
    const x = examples[Number(examplesEl.value)];
    if (!x) return;
    load(x.cf, x.input);
    saveFragment();
    schedule(0);
  });

  rulesEl.addEventListener('input', edited);
  inputEl.addEventListener('input', edited);

  // Tab inserts a tab in the rules (it separates LHS, RHS and comment);
  // Escape, then Tab, leaves the editor.
  let escaped = false;
  rulesEl.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { escaped = true; return; }
    if (e.key === 'Tab' && !escaped && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      if (!document.execCommand('insertText', false, '\t')) {
        rulesEl.setRangeText('\t', rulesEl.selectionStart, rulesEl.selectionEnd, 'end');
        edited();
      }
    }
    escaped = false;
  });

  window.addEventListener('hashchange', () => {
    loadFragment();
    schedule(0);
  });

  $('copy-link').addEventListener('click', () => {
    saveFragment();
    const url = location.href;
    const done = () => { statusEl.textContent = 'Link copied (' + url.length + ' characters)'; };
    const fallback = () => {
      const t = el('textarea');
      t.value = url;
      document.body.append(t);
      t.select();
      const ok = document.execCommand('copy');
      t.remove();
      if (ok) done(); else window.prompt('Copy this link:', url);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, fallback);
    else fallback();
  });

  loadFragment();
  startEngine();
})();
