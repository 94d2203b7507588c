import DOMPurify from 'dompurify';

function positives(comment, params, el) {
  const box = document.getElementById('comments');
  // ruleid: js-innerhtml-non-literal
  box.innerHTML = `<p class="c">${comment.text}</p>`;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML += '<li>' + params.get('q') + '</li>';
  // ruleid: js-innerhtml-non-literal
  document.querySelector('#name').outerHTML = comment.author;
  // ruleid: js-innerhtml-non-literal
  el.insertAdjacentHTML('beforeend', `<span>${location.hash.slice(1)}</span>`);
  // ruleid: js-innerhtml-non-literal
  $('#result').html(comment.html);
}

function negatives(comment, el) {
  const box = document.getElementById('comments');
  // ok: js-innerhtml-non-literal
  box.innerHTML = '';
  // ok: js-innerhtml-non-literal
  box.innerHTML = '<p class="empty">No comments yet</p>';
  // ok: js-innerhtml-non-literal
  box.textContent = comment.text;
  // ok: js-innerhtml-non-literal
  el.innerHTML = DOMPurify.sanitize(comment.html);
  // ok: js-innerhtml-non-literal
  el.insertAdjacentHTML('beforeend', `<span>${escapeHtml(comment.text)}</span>`);
  // ok: js-innerhtml-non-literal
  $('#result').text(comment.html);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
