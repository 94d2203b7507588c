import AsyncStorage from '@react-native-async-storage/async-storage';
import * as SecureStore from 'expo-secure-store';

export async function saveLogin(result) {
  // ruleid: js-react-native-asyncstorage-secret
  await AsyncStorage.setItem('accessToken', result.token);
  // ruleid: js-react-native-asyncstorage-secret
  await AsyncStorage.setItem('user_password', result.password);
  // ruleid: js-react-native-asyncstorage-secret
  await AsyncStorage.setItem(`@auth_${result.id}`, JSON.stringify(result.session));
  // ok: js-react-native-asyncstorage-secret
  await AsyncStorage.setItem('theme', 'dark');
  // ok: js-react-native-asyncstorage-secret
  await SecureStore.setItemAsync('accessToken', result.token);
}
