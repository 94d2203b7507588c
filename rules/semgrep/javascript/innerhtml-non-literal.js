import sprite from "./svg/sprite.svg";
import widget from "./widget.js";

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

// Markup copied between elements of the page (meas145): restoring a dialog, cloning content for an export.
function copiesOfThePage(dialog, saved) {
  const container = document.querySelector('.rendered');
  const copy = document.createElement('div');
  // ok: js-innerhtml-non-literal
  copy.innerHTML = container.innerHTML;
  // ok: js-innerhtml-non-literal
  dialog.innerHTML = saved.innerHTML;
  // ok: js-innerhtml-non-literal
  this.panel.outerHTML = this.template.outerHTML;
  // ok: js-innerhtml-non-literal
  copy.innerHTML = document.getElementById('tpl').innerHTML;
  // ok: js-innerhtml-non-literal
  copy.innerHTML = moment(saved.at).format('LLL');
}

// An `innerHTML` field of data is the sender's text, not a copy of the page.
async function copiesOfData(el, res, event, req) {
  const body = await res.json();
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = JSON.parse(event.data).innerHTML;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = body.innerHTML;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = event.data.innerHTML;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = (await res.json()).outerHTML;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = req.query.innerHTML;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = el.innerHTML + location.hash;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = document.getElementById('q').value;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = moment(body.at).format(body.pattern);
}

// Assets the bundler inlines (meas145).
function loadIcons() {
  import(/* webpackChunkName: "icons" */ './svg/icons.svg').then(icons => {
    // ok: js-innerhtml-non-literal
    document.body.insertAdjacentHTML('beforeend', icons);
  });
  import('./svg/icons.svg?raw').then((sprite) => {
    // ruleid: js-innerhtml-non-literal
    document.body.insertAdjacentHTML('beforeend', sprite + location.hash);
  });
  import('./user-widget.js').then((widget) => {
    // ruleid: js-innerhtml-non-literal
    document.body.insertAdjacentHTML('beforeend', widget);
  });
  import(location.hash.slice(1)).then((page) => {
    // ruleid: js-innerhtml-non-literal
    document.body.insertAdjacentHTML('beforeend', page);
  });
}

function staticAssets(el) {
  // ok: js-innerhtml-non-literal
  el.innerHTML = sprite;
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = widget;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// red147: an `innerHTML` field of a variable that holds data, under any name.
async function dataNamedInnerHtml(el, ws, api) {
  const cfg = JSON.parse(localStorage.getItem('widget'));
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = cfg.innerHTML;
  const r = await fetch('/api/widget');
  const widgetData = await r.json();
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = widgetData.innerHTML;
  const item = await api.get('/item');
  // ruleid: js-innerhtml-non-literal
  el.insertAdjacentHTML('beforeend', item.outerHTML);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    // ruleid: js-innerhtml-non-literal
    el.innerHTML = m.outerHTML;
  };
}

// red147: the asset's name no longer holds the asset.
function showSprite(sprite, el) {
  // ruleid: js-innerhtml-non-literal
  el.innerHTML = sprite;
}
const showSpriteArrow = (sprite) => {
  // ruleid: js-innerhtml-non-literal
  document.body.innerHTML = sprite;
};
function spriteAgain() {
  import('./svg/icons.svg').then((icons) => {
    icons = location.hash;
    // ruleid: js-innerhtml-non-literal
    document.body.insertAdjacentHTML('beforeend', icons);
  });
  // ok: js-innerhtml-non-literal
  document.body.innerHTML = sprite;
}
