/**
 * The script of every console page's shell: it waits for the sign-in (AWS: the sign-in script
 * before it finishes a return from the managed login, or signs in), fetches the page's view
 * from its signed-in route, puts the server-escaped HTML in place and starts the console's
 * script on it (`window.consoleStart`). The report's shell shows the report's own document.
 * A view that fails says why in the page's language (401, 403, 404, any other status, no
 * network), with a link to try again.
 *
 * Which view: from the address as it is when the sign-in is done, not as the shell was served,
 * because a sign-in returns to the console's one callback address and the sign-in script then
 * puts back the address it started from.
 */
export const SHELL_SCRIPT = `(function () {
  'use strict';
  var shell = JSON.parse(document.getElementById('console-shell').textContent);
  var W = shell.words;
  var status = document.getElementById('console-status');
  var signIn = window.consoleSignIn;

  function fill(text, values) {
    return text.replace(/\\{(\\w+)\\}/g, function (_, key) {
      return values && values[key] !== undefined ? String(values[key]) : '';
    });
  }
  function say(kind, text) {
    status.className = 'notice ' + kind;
    status.textContent = text;
  }
  function failed(text) {
    say('error', text);
    var again = document.createElement('a');
    again.className = 'button';
    again.id = 'console-retry';
    again.href = window.location.href;
    again.textContent = W.tryAgain;
    status.parentNode.appendChild(again);
  }
  function problem(code) {
    if (code === 401) return W.viewUnauthorized;
    if (code === 403) return W.viewForbidden;
    if (code === 400 || code === 404) return fill(W.viewNotFound, { status: code });
    return fill(W.viewFailed, { status: code });
  }

  /** The view of the page at this address: a console view (HTML to put in place) or the report's document. */
  function viewOf(path, search) {
    var lang = new URLSearchParams(search).get('lang');
    var query = lang ? 'lang=' + encodeURIComponent(lang) : '';
    var match = /^\\/console\\/campaigns\\/([^/]+)\\/report\\/?$/.exec(path);
    // The report knows no cookie: it is asked in the language the shell was served in.
    if (match) return { url: '/campaigns/' + match[1] + '/report?format=html&lang=' + encodeURIComponent(lang || shell.lang), document: true };
    match = /^\\/console\\/campaigns\\/([^/]+)\\/?$/.exec(path);
    if (match) return { url: '/console/campaigns/' + match[1] + '/view' + (query ? '?' + query : '') };
    if (path === '/' || path === '/console' || path === '/console/') return { url: '/console/view' + (query ? '?' + query : '') };
    return undefined;
  }

  function showView(text) {
    // Escaped by the server's template; the view's own data block says its title and language.
    document.getElementById('console-root').innerHTML = text;
    var data = JSON.parse(document.getElementById('console-data').textContent);
    document.title = data.title;
    document.documentElement.lang = data.htmlLang;
    signOutButton();
    if (window.consoleStart) window.consoleStart();
    var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
  /**
   * The header's sign-out (AWS): forget the tokens and leave through the managed login's logout,
   * which comes back to the console signed out. The header also shows the ID token's e-mail
   * beside the user name. Without a sign-in (locally) there is no button.
   */
  function signOutButton() {
    var button = document.getElementById('sign-out');
    if (!button) return;
    if (!signIn) {
      button.hidden = true;
      return;
    }
    button.addEventListener('click', function () { signIn.signOut(); });
    var user = signIn.user ? signIn.user() : undefined;
    var name = document.getElementById('console-user-name');
    if (user && user.email && name && user.email !== name.textContent && !document.getElementById('console-user-email')) {
      var email = document.createElement('span');
      email.className = 'email';
      email.id = 'console-user-email';
      email.textContent = user.email;
      name.parentNode.insertBefore(email, name.nextSibling);
    }
  }
  function showDocument(text) {
    var page = new DOMParser().parseFromString(text, 'text/html');
    page.querySelectorAll('script').forEach(function (script) { script.remove(); });
    document.title = page.title;
    if (page.documentElement.lang) document.documentElement.lang = page.documentElement.lang;
    document.head.querySelectorAll('style').forEach(function (style) { style.remove(); });
    page.head.querySelectorAll('style').forEach(function (style) { document.head.appendChild(document.importNode(style, true)); });
    var nodes = Array.prototype.map.call(page.body.childNodes, function (node) { return document.importNode(node, true); });
    document.body.replaceChildren.apply(document.body, nodes);
  }

  function load() {
    var view = viewOf(window.location.pathname, window.location.search);
    if (!view) return failed(fill(W.viewNotFound, { status: 404 }));
    return fetch(view.url, { headers: { accept: 'text/html' }, credentials: 'same-origin' }).then(
      function (response) {
        return response.text().then(function (text) {
          if (!response.ok) return failed(problem(response.status));
          if (view.document) showDocument(text);
          else showView(text);
        });
      },
      function () { failed(W.networkError); }
    );
  }

  if (!signIn) {
    load();
    return;
  }
  signIn.ready
    .then(function () { return signIn.accessToken(); })
    .then(
      function (token) {
        // Without a token the fetch signs in (the page leaves for the managed login) and this line stays.
        say('info', token ? W.loading : W.signingIn);
        return load();
      },
      function (error) { failed(fill(W.signInFailed, { reason: error && error.message ? error.message : String(error) })); }
    );
})();
`;
