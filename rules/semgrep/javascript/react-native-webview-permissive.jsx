import React from 'react';
import { WebView } from 'react-native-webview';

export function Help({ url }) {
  // ruleid: js-react-native-webview-permissive
  return <WebView source={{ uri: url }} javaScriptEnabled={true} originWhitelist={['*']} />;
}

export function Files() {
  // ruleid: js-react-native-webview-permissive
  return <WebView source={{ uri: 'file:///data/index.html' }} allowUniversalAccessFromFileURLs={true} />;
}

export function Mixed() {
  // ruleid: js-react-native-webview-permissive
  return <WebView source={{ uri: 'https://example.com' }} mixedContentMode="always" />;
}

export function Safe() {
  // ok: js-react-native-webview-permissive
  return <WebView source={{ uri: 'https://docs.example.com' }} originWhitelist={['https://docs.example.com']} />;
}
