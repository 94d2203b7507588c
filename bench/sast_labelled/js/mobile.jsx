import React, { useRef } from 'react';
import { WebView } from 'react-native-webview';
import AsyncStorage from '@react-native-async-storage/async-storage';
import * as Keychain from 'react-native-keychain';

export function Docs({ route }) {
  const ref = useRef(null);
  const inject = () => {
    // vuln: code-injection
    ref.current.injectJavaScript(`showArticle('${route.params.slug}'); true;`);
  };
  // vuln: mobile-webview
  return <WebView ref={ref} source={{ uri: route.params.url }} originWhitelist={['*']} onLoad={inject} />;
}

export function LocalPage() {
  // vuln: mobile-webview
  return <WebView source={{ uri: 'file:///android_asset/index.html' }} allowFileAccessFromFileURLs={true} />;
}

export function SafeDocs() {
  // safe: mobile-webview
  return <WebView source={{ uri: 'https://docs.example.com' }} originWhitelist={['https://docs.example.com']} />;
}

export async function onLogin(session) {
  // vuln: insecure-storage
  await AsyncStorage.setItem('authToken', session.token);
  // vuln: insecure-storage
  await AsyncStorage.setItem('refresh_token', session.refreshToken);
  // safe: insecure-storage
  await AsyncStorage.setItem('lastScreen', 'home');
  // safe: insecure-storage
  await Keychain.setGenericPassword(session.user, session.token);
}
