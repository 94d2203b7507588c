function afterLogin() {
  const params = new URLSearchParams(window.location.search);
  const next = params.get('next');
  // ruleid: js-browser-open-redirect
  window.location.href = next;
}

function fromHash() {
  // ruleid: js-browser-open-redirect
  location.assign(location.hash.slice(1));
}

function fromQuery() {
  const target = new URLSearchParams(location.search).get('returnTo');
  // ruleid: js-browser-open-redirect
  window.location = target;
}

window.addEventListener('message', (event) => {
  // ruleid: js-browser-open-redirect
  location.replace(event.data.url);
});

function back() {
  // ruleid: js-browser-open-redirect
  window.open(document.referrer);
}

const ALLOWED = new Set(['/home', '/settings']);
function checked() {
  const next = new URLSearchParams(location.search).get('next');
  if (ALLOWED.has(next)) {
    // ok: js-browser-open-redirect
    location.href = next;
  }
}

function local() {
  const id = new URLSearchParams(location.search).get('id');
  // ok: js-browser-open-redirect
  location.href = '/items/' + encodeURIComponent(id);
}

function fixed() {
  // ok: js-browser-open-redirect
  window.location.href = '/login';
}

function spa(router) {
  const next = new URLSearchParams(location.search).get('next');
  // ruleid: js-browser-open-redirect
  router.push(next);
}

function vue() {
  // ruleid: js-browser-open-redirect
  this.$router.replace(location.hash.slice(1));
}

async function summary(parts, api) {
  const response = await api.get('/checks');
  // ok: js-browser-open-redirect
  parts.push(response.data);
  const next = new URLSearchParams(location.search).get('next');
  // ok: js-browser-open-redirect
  parts.push(next);
}

function legacy(browserHistory) {
  const next = new URLSearchParams(location.search).get('next');
  // ruleid: js-browser-open-redirect
  browserHistory.push(next);
}

$(window).on('message', function (e) {
  // ruleid: js-browser-open-redirect
  window.location.href = e.originalEvent.data;
});

function frames() {
  const next = new URLSearchParams(location.search).get('next');
  // ruleid: js-browser-open-redirect
  window.top.location.href = next;
  // ruleid: js-browser-open-redirect
  document.location.replace(next);
  // ruleid: js-browser-open-redirect
  self.location.href = next;
}

function fields(state, e) {
  // ok: js-browser-open-redirect
  state.location = e.data.city;
  // ok: js-browser-open-redirect
  this.location = e.data.location;
}

function popups($window) {
  const next = new URLSearchParams(location.search).get('next');
  const popup = window.open('/blank');
  // ruleid: js-browser-open-redirect
  popup.location.href = next;
  // ruleid: js-browser-open-redirect
  $window.location.href = next;
  // ruleid: js-browser-open-redirect
  document.defaultView.location.href = next;
}

function frame(iframe) {
  const next = new URLSearchParams(location.search).get('next');
  // ruleid: js-browser-open-redirect
  iframe.contentWindow.location = next;
}
