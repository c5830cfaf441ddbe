/**
 * The console page's one script: the buttons (approve and cancel after a confirmation), the
 * test send, the live view (polled every 3 s), the uploads straight to storage with the
 * presigned request, the imports and their rejects, and the campaign file. Plain browser
 * JavaScript with no build step; every text it shows comes from the page's dictionary.
 * It defines `window.consoleStart`, which the shell's script calls once the page's view is in
 * place (the view is fetched signed in, so it cannot be part of the document the browser opens).
 */
export const CONSOLE_SCRIPT = `window.consoleStart = function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  if (data.page !== 'campaign') return;
  var W = data.words;
  var id = data.campaignId;
  var base = '/campaigns/' + encodeURIComponent(id);

  function fill(text, values) {
    return text.replace(/\\{(\\w+)\\}/g, function (_, key) {
      return values && values[key] !== undefined ? String(values[key]) : '';
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }
  function count(n) {
    return Math.round(n).toString().replace(/\\B(?=(\\d{3})+(?!\\d))/g, ',');
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 120) return fill(W.seconds, { n: Math.round(seconds) });
    if (seconds < 7200) return fill(W.minutes, { n: Math.round(seconds / 60) });
    return fill(W.hours, { n: (seconds / 3600).toFixed(1) });
  }
  // A send's time as planned, in the campaign's zone (the offset is in the text): 11月11日 00:00.
  function wallTime(iso) {
    var month = Number(iso.slice(5, 7));
    var day = Number(iso.slice(8, 10));
    return data.lang === 'zh' ? month + '月' + day + '日 ' + iso.slice(11, 16) : iso.slice(5, 10) + ' ' + iso.slice(11, 16);
  }
  function show(target, kind, text, list) {
    target.className = 'notice ' + kind;
    target.textContent = text;
    if (list && list.length) {
      var ul = el('ul', { class: 'plain' });
      list.forEach(function (item) { ul.appendChild(item); });
      target.appendChild(ul);
    }
  }

  // Every call of the console goes through here, with the page's fetch: the sign-in script on
  // AWS (run before this one) puts the token on same-origin requests.
  function api(method, path, body) {
    var headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, {
      method: method,
      headers: headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }).then(
      function (response) {
        return response.text().then(function (text) {
          var json = null;
          try { json = JSON.parse(text); } catch (e) { json = null; }
          return { status: response.status, json: json };
        });
      },
      function () { return { status: 0, json: null }; }
    );
  }

  /** The refusal in the reader's language: the code's own text, its details, and every field by its path. */
  function refusal(answer) {
    if (answer.status === 0) return { text: W.networkError, fields: [] };
    var json = answer.json || {};
    var template = json.error && data.errors[json.error];
    if (!template) return { text: fill(W.serverError, { status: answer.status }), fields: [] };
    var text = fill(template, {
      state: json.state ? data.states[json.state] || json.state : '',
      currentVersion: json.currentVersion === undefined ? '' : json.currentVersion,
      sendIds: (json.sendIds || []).join(', '),
      waveId: json.waveId || '',
      requiredRole: json.requiredRole || '',
    });
    var fields = json.fields || [];
    if (json.error === 'invalid-request' && fields.length === 0 && json.message) text += ' (' + json.message + ')';
    return { text: text, fields: fields };
  }
  function fieldItems(fields, onPick) {
    return fields.map(function (field) {
      var code = el('code', { 'data-path': field.path, text: field.path, tabindex: '0', role: 'button' });
      if (onPick) {
        code.addEventListener('click', function () { onPick(field.path); });
        code.addEventListener('keydown', function (event) { if (event.key === 'Enter') onPick(field.path); });
      }
      // The API keeps the English message; its Chinese text is beside it.
      var message = data.lang === 'zh' && field.messageZh ? field.messageZh : field.message;
      return el('li', { class: 'field-error' }, [code, ' ' + message]);
    });
  }

  // --- Actions: approve and cancel ask first; every answer is shown, a success reloads the page.
  var actionResult = document.getElementById('action-result');
  function act(button, action, body) {
    var buttons = document.querySelectorAll('[data-action]');
    buttons.forEach(function (b) { b.disabled = true; });
    show(actionResult, 'info', W.working);
    api('POST', base + '/' + action, body).then(function (answer) {
      if (answer.status === 200) {
        show(actionResult, 'ok', W.done);
        window.location.reload();
        return;
      }
      var problem = refusal(answer);
      show(actionResult, 'error', problem.text, fieldItems(problem.fields));
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }
  document.querySelectorAll('[data-action]').forEach(function (button) {
    button.addEventListener('click', function () {
      var action = button.getAttribute('data-action');
      var dialog = document.getElementById('confirm-' + action);
      var body = action === 'approve' ? { version: Number(button.getAttribute('data-version')) } : {};
      if (!dialog) return act(button, action, body);
      dialog.returnValue = '';
      dialog.showModal();
      dialog.addEventListener('close', function onClose() {
        dialog.removeEventListener('close', onClose);
        if (dialog.returnValue !== 'confirm') return;
        var reason = document.getElementById('confirm-' + action + '-reason');
        if (reason && reason.value.trim()) body.reason = reason.value.trim();
        act(button, action, body);
      });
    });
  });

  // --- Test send.
  var testForm = document.getElementById('test-send-form');
  if (testForm) {
    // Only the chosen wave's texts are offered; the care text is an SMS, so emails sit it out.
    var showTexts = function () {
      var first = null;
      Array.prototype.forEach.call(testForm.group.options, function (option) {
        var mine = option.getAttribute('data-wave') === testForm.waveId.value;
        option.hidden = !mine;
        option.disabled = !mine;
        if (mine && first === null) first = option;
      });
      var current = testForm.group.options[testForm.group.selectedIndex];
      if (first && (!current || current.disabled)) first.selected = true;
      var care = testForm.group.value === 'care';
      Array.prototype.forEach.call(testForm.querySelectorAll('input[name=to]'), function (box) {
        var email = box.value.indexOf('@') >= 0;
        box.disabled = care && email;
        if (care && email) box.checked = false;
      });
    };
    testForm.waveId.addEventListener('change', showTexts);
    testForm.group.addEventListener('change', showTexts);
    testForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var result = document.getElementById('test-result');
      var to = Array.prototype.map.call(testForm.querySelectorAll('input[name=to]:checked'), function (box) { return box.value; });
      var submit = testForm.querySelector('button');
      submit.disabled = true;
      show(result, 'info', W.working);
      var body = { waveId: testForm.waveId.value, to: to };
      if (testForm.group.value) body.group = testForm.group.value;
      api('POST', base + '/test-send', body).then(function (answer) {
        submit.disabled = false;
        if (answer.status === 202) {
          var failed = answer.json.failed || [];
          show(result, failed.length ? 'error' : 'ok', fill(W.testSent, { sent: answer.json.sent.length, failed: failed.length }) + (answer.json.group ? ' ' + fill(W.testSentText, { text: testForm.group.selectedOptions[0].textContent }) : ''),
            failed.map(function (f) { return el('li', { text: f.to + ' ' + f.variant + ': ' + f.reason }); }));
          return;
        }
        var problem = refusal(answer);
        show(result, 'error', problem.text, fieldItems(problem.fields));
      });
    });
  }

  // --- Live view: polled every 3 s while the page is open.
  var liveNote = document.getElementById('live-note');
  function renderLive(live) {
    var values = {
      perSecond: live.perSecond.toFixed(1),
      done: count(live.done),
      sent: count(live.sent),
      failed: count(live.failed),
      unknown: count(live.unknown),
      pending: count(live.pending),
      waiting: count(live.waiting),
      secondsToFinish: live.state === 'paused' ? W.livePaused : live.secondsToFinish === null ? (live.pending > 0 ? W.liveStalled : '—') : duration(live.secondsToFinish),
    };
    Object.keys(values).forEach(function (key) {
      var node = document.querySelector('[data-live="' + key + '"]');
      if (node) node.textContent = values[key];
    });
    document.getElementById('live-updated').textContent = fill(W.updatedAt, { time: new Date(live.at).toLocaleTimeString(data.lang === 'zh' ? 'zh-CN' : 'en') });
    liveNote.textContent = live.approvedVersion === undefined ? W.liveNotApproved : '';
    liveNote.className = live.approvedVersion === undefined ? 'notice info' : 'notice';
    var body = document.querySelector('#live-sends tbody');
    body.textContent = '';
    live.sends.forEach(function (send) {
      var share = send.customers > 0 ? Math.min(100, Math.round((send.done / send.customers) * 100)) : 100;
      var bar = el('div', { class: 'bar', title: share + '%' }, [el('span', { style: 'width:' + share + '%' })]);
      body.appendChild(el('tr', { 'data-send': send.id }, [
        el('td', { class: 'nowrap', text: wallTime(send.at) }),
        el('td', { text: send.waveId }),
        el('td', { text: send.channel === 'sms' ? W.costSms : W.costEmail }),
        el('td', { text: send.state !== 'dispatched' ? (send.state === 'held' ? W.sendHeld : W.sendScheduled) : send.done >= send.customers ? W.sendFinished : W.sendDispatched }),
        el('td', { class: 'num', text: count(send.done) + ' / ' + count(send.customers) }),
        el('td', {}, [bar]),
      ]));
    });
  }
  function pollLive() {
    api('GET', base + '/live').then(function (answer) {
      if (answer.status === 200) renderLive(answer.json);
      window.setTimeout(pollLive, 3000);
    });
  }
  if (data.exists && document.getElementById('live')) pollLive();

  // --- Imports: the list (polled while one runs), the upload straight to storage, the rejects.
  var importsBody = document.querySelector('#imports-table tbody');
  var importsTimer = null;
  var statusWord = { running: W.importRunning, succeeded: W.importSucceeded, failed: W.importFailed };
  function renderImports(list) {
    importsBody.textContent = '';
    document.getElementById('imports-empty').style.display = list.length ? 'none' : '';
    list.forEach(function (item) {
      var rejects = el('button', { type: 'button', 'data-rejects': item.key, text: W.showRejects });
      rejects.addEventListener('click', function () { loadRejects(item.key); });
      importsBody.appendChild(el('tr', { 'data-import': item.key, 'data-status': item.status }, [
        // data-label: a phone shows each import as a card, every value under its column's name.
        el('td', { class: 'file', 'data-label': W.file }, [el('div', { text: item.file })].concat(item.uploadedBy
          ? [el('div', { class: 'muted', 'data-uploaded-by': '', text: W.uploadedBy + ' ' + item.uploadedBy })]
          : [])),
        el('td', { 'data-label': W.status, text: (statusWord[item.status] || item.status) + (item.error ? ': ' + item.error : '') }),
        el('td', { class: 'num', 'data-label': W.rows, text: count(item.status === 'running' ? item.progressRows : item.rows) }),
        el('td', { class: 'num', 'data-label': W.imported, text: count(item.imported) }),
        el('td', { class: 'num', 'data-label': W.rejected, text: count(item.rejected) }),
        el('td', { class: 'num', 'data-label': W.duration, text: item.durationMs === undefined ? '' : duration(item.durationMs / 1000) }),
        el('td', { class: 'act' }, item.status === 'running' ? [] : [rejects]),
      ]));
    });
  }
  function loadImports() {
    window.clearTimeout(importsTimer);
    return api('GET', base + '/imports').then(function (answer) {
      if (answer.status !== 200) return;
      renderImports(answer.json.imports);
      var busy = answer.json.imports.some(function (item) { return item.status === 'running'; }) || pendingUploads.length > 0;
      pendingUploads = pendingUploads.filter(function (key) {
        var done = answer.json.imports.filter(function (item) { return item.key === key && item.status !== 'running'; })[0];
        if (done) {
          var result = document.getElementById('upload-result');
          if (done.status === 'succeeded') show(result, 'ok', fill(W.importDone, { name: done.file, imported: count(done.imported), rejected: count(done.rejected) }));
          else show(result, 'error', done.file + ': ' + W.importFailed + (done.error ? ' (' + done.error + ')' : ''));
        }
        return !done;
      });
      if (busy) importsTimer = window.setTimeout(loadImports, 2000);
    });
  }
  var pendingUploads = [];
  function loadRejects(key) {
    var box = document.getElementById('rejects');
    box.textContent = W.working;
    api('GET', base + '/imports/rejects?key=' + encodeURIComponent(key)).then(function (answer) {
      box.textContent = '';
      if (answer.status !== 200) return show(box, 'error', refusal(answer).text);
      var hide = el('button', { type: 'button', text: W.hideRejects });
      hide.addEventListener('click', function () { box.textContent = ''; });
      box.appendChild(el('h3', { text: W.rejected + ': ' + key.split('/').pop() }));
      if (answer.json.rows.length === 0) {
        box.appendChild(el('p', { class: 'muted', text: W.noRejects }));
        box.appendChild(hide);
        return;
      }
      var body = el('tbody');
      answer.json.rows.forEach(function (row) {
        (row.problems.length ? row.problems : [{ column: '', reason: '' }]).forEach(function (problem) {
          body.appendChild(el('tr', {}, [
            el('td', { class: 'num', text: String(row.line) }),
            el('td', { text: problem.header ? problem.column + ' (' + problem.header + ')' : problem.column }),
            el('td', { text: problem.reason }),
          ]));
        });
      });
      var head = el('thead', {}, [el('tr', {}, [el('th', { class: 'num', text: W.line }), el('th', { text: W.column }), el('th', { text: W.problem })])]);
      box.appendChild(el('div', { class: 'scroll' }, [el('table', { id: 'rejects-table' }, [head, body])]));
      if (answer.json.truncated) box.appendChild(el('p', { class: 'muted', text: fill(W.rejectsShown, { shown: answer.json.rows.length, total: answer.json.total }) }));
      box.appendChild(hide);
    });
  }
  var uploadForm = document.getElementById('upload-form');
  var uploadName = document.getElementById('upload-file-name');
  uploadForm.file.addEventListener('change', function () {
    uploadName.textContent = uploadForm.file.files[0] ? uploadForm.file.files[0].name : W.noFileChosen;
  });
  uploadForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = uploadForm.file.files[0];
    var result = document.getElementById('upload-result');
    if (!file) return;
    var submit = uploadForm.querySelector('button');
    submit.disabled = true;
    show(result, 'info', fill(W.uploading, { name: file.name }));
    var request = { fileName: file.name, size: file.size };
    if (uploadForm.segment.value.trim()) request.segment = uploadForm.segment.value.trim();
    api('POST', base + '/uploads', request).then(function (answer) {
      if (answer.status !== 200) {
        submit.disabled = false;
        var problem = refusal(answer);
        return show(result, 'error', problem.text, fieldItems(problem.fields));
      }
      var upload = answer.json;
      // Straight to storage with the presigned request: the file never passes through the API.
      return fetch(upload.url, { method: upload.method, headers: upload.headers, body: file }).then(
        function (response) {
          submit.disabled = false;
          if (!response.ok) return show(result, 'error', fill(W.serverError, { status: response.status }));
          show(result, 'ok', fill(W.uploaded, { name: file.name }));
          pendingUploads.push(upload.key);
          uploadForm.reset();
          uploadName.textContent = W.noFileChosen;
          loadImports();
        },
        function () {
          submit.disabled = false;
          show(result, 'error', W.networkError);
        }
      );
    });
  });
  loadImports();

  // --- The campaign file: loaded from a file or edited, saved with PUT; its problems listed by JSON path.
  var campaignForm = document.getElementById('campaign-form');
  var editor = document.getElementById('campaign-json');
  var errors = document.getElementById('campaign-errors');
  document.getElementById('campaign-file-input').addEventListener('change', function (event) {
    var file = event.target.files[0];
    if (!file) return;
    file.text().then(function (text) { editor.value = text; editor.focus(); });
  });
  function pick(path) {
    // The last name of the path, as it is written in the file: the problem's place in the editor.
    var names = path.match(/[A-Za-z_][\\w-]*/g) || [];
    var name = names[names.length - 1];
    if (!name) return editor.focus();
    var at = editor.value.indexOf('"' + name + '"');
    editor.focus();
    if (at >= 0) editor.setSelectionRange(at, at + name.length + 2);
  }
  campaignForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var submit = campaignForm.querySelector('button[type=submit]');
    submit.disabled = true;
    editor.removeAttribute('aria-invalid');
    show(errors, 'info', W.working);
    api('PUT', base, editor.value).then(function (answer) {
      submit.disabled = false;
      if (answer.status === 201) {
        show(errors, 'ok', fill(W.saved, { version: answer.json.version }));
        window.location.reload();
        return;
      }
      if (answer.status === 202) {
        show(errors, 'ok', fill(W.planningShards, {
          version: answer.json.version,
          shards: answer.json.shards,
          customers: Number(answer.json.customers).toLocaleString(document.documentElement.lang),
        }));
        return;
      }
      editor.setAttribute('aria-invalid', 'true');
      var problem = refusal(answer);
      show(errors, 'error', problem.fields.length ? W.fieldErrors : problem.text, fieldItems(problem.fields, pick));
    });
  });
};
`;
