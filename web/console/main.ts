/**
 * The tenant console (/app): one page, signed in with a user's API key, speaking only the public API of its
 * own origin (api.ts). Screens by the URL fragment (never sent to the server): #deposit, #inventory,
 * #deposits, #history/<id>, #event/<id>, #users. The language toggle redraws the screen in place, keeping what
 * was entered, chosen and shown (each screen keeps its state across a redraw with `keep`; a new visit starts afresh).
 */
import './style.css';
import { ApiError, callJson, forgetKey, saveKey, savedKey, type Me } from './api.js';
import { clear, field, h } from './dom.js';
import { errorView } from './error-text.js';
import { initLang, lang, setLang, t, type Key } from './i18n.js';
import { roleWord } from './words.js';
import { depositScreen } from './screens/deposit.js';
import { inventoryScreen } from './screens/inventory.js';
import { depositsScreen } from './screens/deposits.js';
import { historyScreen } from './screens/history.js';
import { eventScreen } from './screens/event.js';
import { usersScreen } from './screens/users.js';

export interface Session {
  me: Me;
}

/** `keep`: the same screen drawn again (the language switched): what was entered, chosen and loaded stays. */
type Screen = (session: Session, arg: string | undefined, keep: boolean) => HTMLElement;

const SCREENS: [name: string, label: Key, screen: Screen][] = [
  ['deposit', 'navDeposit', depositScreen],
  ['inventory', 'navInventory', inventoryScreen],
  ['deposits', 'navDeposits', depositsScreen],
  ['history', 'navHistory', historyScreen],
  ['event', 'navEvent', eventScreen],
  ['users', 'navUsers', usersScreen],
];

const root = h('div', { id: 'console' });
let session: Session | undefined;

function route(): [string, string | undefined] {
  const [name, arg] = location.hash.replace(/^#/, '').split('/', 2);
  return [SCREENS.some((s) => s[0] === name) ? name! : 'deposit', arg === undefined || arg === '' ? undefined : decodeURIComponent(arg)];
}

function header(): HTMLElement {
  return h('header', {},
    h('div', { class: 'brand' }, h('h1', {}, t('appTitle')), h('span', { class: 'sub' }, t('appSub'))),
    h('div', { class: 'who' },
      session === undefined ? null : h('span', { id: 'signed-in', 'data-role': session.me.role },
        t('signedInAs', session.me.ref ?? session.me.id, roleWord(session.me.role), session.me.tenant)),
      h('button', { type: 'button', id: 'lang', class: 'quiet', onclick: switchLang }, t('langToggle')),
      session === undefined ? null : h('button', { type: 'button', id: 'sign-out', class: 'quiet', onclick: signOut }, t('signOut'))));
}

/** The other language: the same screen again, keeping its state (and the key typed at sign-in, and its error). */
function switchLang(): void {
  const typed = root.querySelector<HTMLInputElement>('#sign-in [name="key"]')?.value;
  setLang(lang() === 'zh' ? 'en' : 'zh');
  draw(signInError, true);
  const input = root.querySelector<HTMLInputElement>('#sign-in [name="key"]');
  if (input !== null && typed !== undefined) input.value = typed;
}

let signInError: unknown;

function signInView(error?: unknown): HTMLElement {
  const form = h('form', { id: 'sign-in', class: 'card narrow' },
    h('label', {}, t('apiKey'), h('input', { name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true })),
    h('p', { class: 'hint' }, t('apiKeyHint')),
    h('button', { type: 'submit' }, t('signIn')),
    error === undefined ? null : errorView(error));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void signIn(field(form, 'key'));
  });
  return form;
}

async function signIn(key: string): Promise<void> {
  try {
    const me = await callJson<Me>('/v1/users/me', { key });
    saveKey(key);
    session = { me };
    draw();
  } catch (e) {
    session = undefined;
    draw(e);
  }
}

function signOut(): void {
  forgetKey();
  session = undefined;
  history.replaceState(null, '', location.pathname);
  draw();
}

function draw(error?: unknown, keep = false): void {
  clear(root);
  root.append(header());
  if (session === undefined) {
    signInError = error;
    root.append(h('main', {}, signInView(error)));
    return;
  }
  signInError = undefined;
  const [name, arg] = route();
  const nav = h('nav', {}, ...SCREENS.map(([n, label]) =>
    h('a', { href: `#${n}`, class: n === name ? 'current' : null, 'data-screen': n }, t(label))));
  const screen = SCREENS.find((s) => s[0] === name)![2];
  root.append(nav, h('main', { 'data-screen': name }, screen(session, arg, keep)));
}

/** A 401 during the session (the key revoked or rotated): back to sign-in, saying why. */
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof ApiError && ev.reason.status === 401) {
    forgetKey();
    session = undefined;
    draw(ev.reason);
  }
});
window.addEventListener('hashchange', () => draw());

initLang();
document.body.append(root);
const key = savedKey();
if (key === null) draw();
else void signIn(key);
