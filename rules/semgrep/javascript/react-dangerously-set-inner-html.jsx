import React from 'react';
import DOMPurify from 'dompurify';

const FOOTER = '<small>&copy; 2024 Example</small>';

export function Comment({ comment }) {
  // ruleid: js-react-dangerously-set-inner-html
  const body = <div className="body" dangerouslySetInnerHTML={{ __html: comment.body }} />;
  // ruleid: js-react-dangerously-set-inner-html
  const author = <p dangerouslySetInnerHTML={{ __html: `<b>${comment.author}</b>` }}></p>;
  // ok: js-react-dangerously-set-inner-html
  const clean = <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.body) }} />;
  // ok: js-react-dangerously-set-inner-html
  const footer = <footer dangerouslySetInnerHTML={{ __html: FOOTER }} />;
  // ok: js-react-dangerously-set-inner-html
  const plain = <p>{comment.body}</p>;
  return (
    <div>
      {body}
      {author}
      {clean}
      {footer}
      {plain}
    </div>
  );
}

export function Legacy({ html }) {
  // ruleid: js-react-dangerously-set-inner-html
  return React.createElement('div', { dangerouslySetInnerHTML: { __html: html } });
}
