import React, { useRef } from 'react';
import { WebView } from 'react-native-webview';

export function Viewer({ route }) {
  const ref = useRef(null);
  const name = route.params.name;
  const onLoad = () => {
    // ruleid: js-react-native-inject-javascript
    ref.current.injectJavaScript(`window.setUser('${name}'); true;`);
  };
  const onOther = () => {
    // ok: js-react-native-inject-javascript
    ref.current.injectJavaScript(`window.setUser(${JSON.stringify(name)}); true;`);
  };
  const onFixed = () => {
    // ok: js-react-native-inject-javascript
    ref.current.injectJavaScript('window.scrollTo(0, 0); true;');
  };
  // ruleid: js-react-native-inject-javascript
  return <WebView ref={ref} injectedJavaScript={"document.title = '" + route.params.title + "'"} onLoad={onLoad} />;
}
