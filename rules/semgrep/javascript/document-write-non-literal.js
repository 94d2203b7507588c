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

// A server template printing each row's time in the visitor's zone (meas145).
function renderedDates(row, stamp) {
  // ok: js-document-write-non-literal
  document.write(moment(row.createdAt).local().format('D MMM YYYY, HH:mm'));
  // ok: js-document-write-non-literal
  document.write(moment(stamp).fromNow());
  // ok: js-document-write-non-literal
  document.write('<td>' + moment.utc(stamp).format('LLL') + '</td>');
  // ok: js-document-write-non-literal
  document.write('<option selected>' + moment.tz.guess() + '</option>');
  // ok: js-document-write-non-literal
  document.write(dayjs(stamp).format(`YYYY-MM-DD`));
}

// Dressed as a date: what reaches the page is still the caller's text.
function datesThatCarryText(row, q) {
  // ruleid: js-document-write-non-literal
  document.write(moment(row.createdAt).format(q));
  // ruleid: js-document-write-non-literal
  document.write(moment(row.createdAt).format(`[${row.note}] LLL`));
  // ruleid: js-document-write-non-literal
  document.write('<td>' + moment(row.createdAt).format('LLL') + row.note + '</td>');
  // ruleid: js-document-write-non-literal
  document.write(moment(row.createdAt).format('LLL').concat(q));
  // ruleid: js-document-write-non-literal
  document.write(moment(row.createdAt).format('LLL').replace('2', q));
  // ruleid: js-document-write-non-literal
  document.write(row.format('LLL'));
}
