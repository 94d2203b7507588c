function positives(user) {
  const q = new URLSearchParams(location.search).get('q');
  // ruleid: js-document-write-non-literal
  document.write('<h1>Results for ' + q + '</h1>');
  // ruleid: js-document-write-non-literal
  document.writeln(`<p>Welcome ${user.name}</p>`);
  const popup = window.open('');
  // ruleid: js-document-write-non-literal
  popup.document.write(user.bio);
}

function negatives() {
  // ok: js-document-write-non-literal
  document.write('<p>Static banner</p>');
  // ok: js-document-write-non-literal
  document.write(`<script src="/static/app.js"></script>`);
  const q = new URLSearchParams(location.search).get('q');
  // ok: js-document-write-non-literal
  document.write('<a href="/search?q=' + encodeURIComponent(q) + '">again</a>');
}
