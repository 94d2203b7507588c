import session from 'express-session';
import Stripe from 'stripe';

export const config = {
  db: {
    host: 'db.internal',
    // ruleid: js-hardcoded-secret
    password: 'Sup3rS3cret!',
  },
  // ruleid: js-hardcoded-secret
  apiKey: 'AIzaSyA-1234567890abcdefghijklmnop',
  // ruleid: js-hardcoded-secret
  "client_secret": "0a1b2c3d4e5f6a7b8c9d",
  // ok: js-hardcoded-secret
  passwordMinLength: 12,
  // ok: js-hardcoded-secret
  tokenType: 'Bearer',
};

// ruleid: js-hardcoded-secret
const STRIPE_LIVE_SECRET_KEY = 'sk_live_51Habcdefghijklmnop';
const stripe = new Stripe(STRIPE_LIVE_SECRET_KEY);

export const app = {
  use: (x: unknown) => x,
};
app.use(
  session({
    // ruleid: js-hardcoded-secret
    secret: 'keyboard cat',
    resave: false,
  }),
);

export const safe = {
  // ok: js-hardcoded-secret
  password: process.env.DB_PASSWORD,
  // ok: js-hardcoded-secret
  apiKey: '',
  // ok: js-hardcoded-secret
  token: '<your-token-here>',
  // ok: js-hardcoded-secret
  secret: `${process.env.SECRET}`,
};
// ok: js-hardcoded-secret
const API_KEY = process.env.API_KEY ?? '';
export { stripe, API_KEY };

export const more = {
  // ruleid: js-hardcoded-secret
  githubToken: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  // ok: js-hardcoded-secret
  nextToken: ';',
  // ok: js-hardcoded-secret
  csrfToken: 'X-CSRF-Token',
  // ok: js-hardcoded-secret
  apiKeyPattern: '[A-Za-z0-9]{32}',
};

// An attribute-name map and a seed script's stand-in: the value names a credential field (meas145).
export const attributeNames: Record<string, string> = {
  // ok: js-hardcoded-secret
  accesskey: 'accessKey',
  // ok: js-hardcoded-secret
  'client-secret': 'clientSecret',
};
// ok: js-hardcoded-secret
const seedPassword = 'test_password';
// ruleid: js-hardcoded-secret
const stagingPassword = 'test_password_2024!';
// ruleid: js-hardcoded-secret
const adminPassword = 'passwordX9';
export { seedPassword, stagingPassword, adminPassword };

// An i18next translation resource: a credential field's label in some language, written as prose (meas146).
export const frResource = {
  translation: {
    common: {
      // ok: js-hardcoded-secret
      currentPassword: 'Mot de passe actuel',
      // ok: js-hardcoded-secret
      invalidPassword: 'L\'identifiant ou le mot de passe est faux',
    },
    // ok: js-hardcoded-secret
    password: 'Contraseña',
    // ruleid: js-hardcoded-secret
    adminPassword: 'Wn7pLx-river',
    // ruleid: js-hardcoded-secret
    apiKey: 'kq_Zr.bmtv.Qh',
  },
};
// A config object with an empty `translation:` next to its credential is no resource.
export const disguisedConfig = {
  translation: {},
  // ruleid: js-hardcoded-secret
  password: 'Tulip glass harbour',
};
export const disguisedNested = {
  translation: { common: { title: 'Board' } },
  db: {
    // ruleid: js-hardcoded-secret
    password: 'Tulip glass harbour',
  },
};

// An action type named after itself (Redux, a popup's steps): it names an action and holds no secret (meas146).
const StepTypes = {
  // ok: js-hardcoded-secret
  EDIT_PASSWORD: 'EDIT_PASSWORD',
};
// ok: js-hardcoded-secret
export const RESET_PASSWORD = 'RESET_PASSWORD';
// ruleid: js-hardcoded-secret
export const SMTP_PASSWORD = 'SMTP_PASSWORD_2';
// ruleid: js-hardcoded-secret
const MAIL_PASSWORD = 'RESET_PASSWORD';
export { StepTypes, MAIL_PASSWORD };

// red147: a signing secret's own word is a real, weak value; a passphrase is no label.
// ruleid: js-hardcoded-secret
const jwtSecret = 'secret';
export const sessionConfig = {
  // ruleid: js-hardcoded-secret
  sessionSecret: 'session-secret',
};
export const passphraseResource = {
  translation: {
    db: {
      // ruleid: js-hardcoded-secret
      password: 'CorrectHorseBatteryStaple',
    },
  },
};
export { jwtSecret };

// meas148: the password word in another language is a label in a locale catalogue (`const translation = {…}`), the
// same fixed stand-in as the English word; a value beside it, or the word with more to it, is a password again.
export const ptBrPhrases = {
  input: {
    // ok: js-hardcoded-secret
    password: 'Senha',
    // ok: js-hardcoded-secret
    created_password: 'Senha:',
  },
  sign_in: {
    // ok: js-hardcoded-secret
    password: 'Mot de passe',
    // ok: js-hardcoded-secret
    admin_password: 'Passwort',
    // ok: js-hardcoded-secret
    user_password: 'パスワード',
    // ok: js-hardcoded-secret
    db_password: 'كلمة المرور',
    // ok: js-hardcoded-secret
    smtpPassword: 'Пароль',
  },
};
export const disguisedLabels = {
  // ruleid: js-hardcoded-secret
  password: 'Senha forte',
  // ruleid: js-hardcoded-secret
  dbPassword: 'Senha2024',
  // ruleid: js-hardcoded-secret
  adminPassword: 'passwortpasswort',
  // ruleid: js-hardcoded-secret
  smtpPassword: 'Пароль!',
  // ruleid: js-hardcoded-secret
  rootPassword: 'パスワード123',
  // ruleid: js-hardcoded-secret
  mailPassword: 'Mot de passe::',
};

// sast160: a catalogue's labels for the credential fields (anything-llm's locales), not their values
const TRANSLATIONS = {
  connectors: {
    // ok: js-hardcoded-secret
    apiKey: "API Key",
    // ok: js-hardcoded-secret
    clientSecret: "Client Secret",
    // ok: js-hardcoded-secret
    "placeholder-password": "ລະຫັດຜ່ານ",
    // ruleid: js-hardcoded-secret
    signingSecret: "Secret Key",
    // ruleid: js-hardcoded-secret
    jwtSecret: "JWT Secret",
    // ruleid: js-hardcoded-secret
    adminApiKey: "API Key 2024",
    // ruleid: js-hardcoded-secret
    accessToken: "Access Token please",
  },
};
export { TRANSLATIONS };
