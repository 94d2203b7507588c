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

// red130: the {__html} object from a helper, a variable, or a props spread
export function Red130Markup({ comment }) {
  function createMarkup() {
    return { __html: comment.html };
  }
  // ruleid: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={createMarkup()} />;
}

export function Red130Var({ body }) {
  const markup = { __html: body };
  // ruleid: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={markup} />;
}

export function Red130Spread({ html }) {
  // ruleid: js-react-dangerously-set-inner-html
  const props = { dangerouslySetInnerHTML: { __html: html } };
  return <div {...props} />;
}

export function Red130Constant() {
  const markup = { __html: '<b>hello</b>' };
  // ok: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={markup} />;
}

// sast160: the app's own catalogue text for a literal key (react-i18next's t), and highlight.js's escaped output
import { useTranslation } from 'react-i18next';
import hljs from 'highlight.js';

export function PinningAlert() {
  const { t } = useTranslation();
  return (
    <p>
      {/* ok: js-react-dangerously-set-inner-html */}
      <span dangerouslySetInnerHTML={{ __html: t("connectors.pinning.pin_explained_block1") }} />
    </p>
  );
}

export function SnippetView({ snippet }) {
  // ok: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{ __html: hljs.highlight(snippet, { language: "html", ignoreIllegals: true }).value }} />;
}

export function GreetingWithName({ name }) {
  const { t } = useTranslation();
  // ruleid: js-react-dangerously-set-inner-html
  return <span dangerouslySetInnerHTML={{ __html: t("greeting", { name }) }} />;
}

export function KeyFromProps({ messageKey }) {
  const { t } = useTranslation();
  // ruleid: js-react-dangerously-set-inner-html
  return <span dangerouslySetInnerHTML={{ __html: t(messageKey) }} />;
}

export function OwnT({ reply }) {
  const t = () => reply.html;
  // ruleid: js-react-dangerously-set-inner-html
  return <span dangerouslySetInnerHTML={{ __html: t("reply") }} />;
}

export function TranslatedPlusReply({ reply }) {
  const { t } = useTranslation();
  // ruleid: js-react-dangerously-set-inner-html
  return <span dangerouslySetInnerHTML={{ __html: t("prefix") + reply }} />;
}

export function HighlightedPlusRaw({ code, note }) {
  // ruleid: js-react-dangerously-set-inner-html
  return <pre dangerouslySetInnerHTML={{ __html: hljs.highlight(code, { language: "js" }).value + note }} />;
}

export function HighlightNotValue({ code }) {
  // ruleid: js-react-dangerously-set-inner-html
  return <pre dangerouslySetInnerHTML={{ __html: hljs.highlight(code, { language: "js" }).code }} />;
}

export function ShadowedT({ reply }) {
  const { t } = useTranslation();
  // ruleid: js-react-dangerously-set-inner-html
  const render = (t) => <span dangerouslySetInnerHTML={{ __html: t("x") }} />;
  return render(() => reply);
}

export function ShadowedHljs({ reply }) {
  // ruleid: js-react-dangerously-set-inner-html
  const f = (hljs) => <pre dangerouslySetInnerHTML={{ __html: hljs.highlight(reply).value }} />;
  return f({ highlight: () => ({ value: reply }) });
}

// red162: t or hljs shadowed by a declaration in a block around the markup
export function BlockShadowedT({ reply }) {
  const { t } = useTranslation();
  {
    const t = () => reply.html;
    // ruleid: js-react-dangerously-set-inner-html
    return <span dangerouslySetInnerHTML={{ __html: t("x") }} />;
  }
}

export function DeclaredHljs({ reply }) {
  const hljs = { highlight: () => ({ value: reply.html }) };
  // ruleid: js-react-dangerously-set-inner-html
  return <pre dangerouslySetInnerHTML={{ __html: hljs.highlight(reply.code).value }} />;
}

export function ShadowingFunctionT({ reply }) {
  function t() { return reply.html; }
  // ruleid: js-react-dangerously-set-inner-html
  return <span dangerouslySetInnerHTML={{ __html: t("x") }} />;
}
