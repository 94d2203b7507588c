import React from 'react';

export function Comment({ comment }) {
  // vuln: xss
  return <div dangerouslySetInnerHTML={{ __html: comment.body }} />;
}

export function renderPreview(el, html) {
  // vuln: xss
  el.innerHTML = html;
}

export function banner(msg) {
  // vuln: xss
  document.write('<h1>' + msg + '</h1>');
}

export function setMessage(el, text) {
  // safe: xss
  el.textContent = text;
}

export function Title({ title }) {
  // safe: xss
  return <h1>{title}</h1>;
}
