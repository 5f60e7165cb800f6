/**
 * The people of the enterprise, for the secrecy officer: `GET /v1/users`, `POST /v1/users {role, ref?}`
 * (the new key shown once), `POST /v1/users/<id>/revoke`, `POST /v1/users/<id>/rotate`. The console does
 * not decide who may: the service answers other roles 403 ROLE_FORBIDDEN, and that is what is shown.
 */
import { callJson } from '../api.js';
import { clear, field, h, live } from '../dom.js';
import { errorView } from '../error-text.js';
import { t } from '../i18n.js';
import { beijing, roleWord } from '../words.js';
import { actionButton, fill, table } from './common.js';
import type { Session } from '../main.js';

interface User {
  id: string;
  role: string;
  ref?: string;
  created: string;
  revoked?: string;
}

/**
 * Kept when the screen is drawn again in the other language: the new key on show (it is shown once), the
 * add form as entered, its error.
 */
let kept: { key?: string; role: string; ref: string; error?: unknown } = { role: 'depositor', ref: '' };

export function usersScreen(session: Session, _arg?: string, keep = false): HTMLElement {
  if (!keep) kept = { role: 'depositor', ref: '' };
  const s = kept;
  const out = h('div', { id: 'users-out' });
  const shown = h('div', { id: 'users-key' });
  const showKey = (key: string | undefined): void => {
    s.key = key;
    const el = live('users-key') ?? shown;
    clear(el);
    if (key !== undefined) el.append(h('p', { class: 'new-key' }, t('newKey', ''), h('code', { id: 'new-key' }, key)));
  };
  showKey(s.key);
  const load = (): void => void fill(live('users-out') ?? out, async () => {
    const { users } = await callJson<{ users: User[] }>('/v1/users');
    const role = h('select', { name: 'role' }, ...['depositor', 'viewer', 'officer'].map((r) => h('option', { value: r }, roleWord(r))));
    role.value = s.role;
    role.addEventListener('change', () => (s.role = role.value));
    const refInput = h('input', { name: 'ref', type: 'text', maxlength: '64', value: s.ref });
    refInput.addEventListener('input', () => (s.ref = refInput.value));
    const add = h('form', { id: 'user-add', class: 'filters' },
      h('label', {}, t('role'), role),
      h('label', {}, t('ref'), refInput),
      h('button', { type: 'submit' }, t('addUser')));
    const addError = h('div', { id: 'user-add-error' }, s.error === undefined ? null : errorView(s.error));
    add.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clear(addError);
      s.error = undefined;
      const ref = field(add, 'ref');
      callJson<{ apiKey: string }>('/v1/users', { json: { role: field(add, 'role'), ...(ref === '' ? {} : { ref }) } })
        .then((r) => {
          s.ref = '';
          load();
          showKey(r.apiKey);
        })
        .catch((e: unknown) => {
          s.error = e;
          (live('user-add-error') ?? addError).append(errorView(e));
        });
    });
    return [
      table('users-table', ['userId', 'role', 'ref', 'created', 'status', '' as never], users.map((u) => [
        h('code', {}, u.id), roleWord(u.role), u.ref ?? '', beijing(u.created),
        u.revoked === undefined ? t('active') : `${t('revoked')} ${beijing(u.revoked)}`,
        u.revoked !== undefined || u.id === session.me.id ? '' : h('span', {},
          actionButton(t('rotate'), { class: 'small', 'data-action': 'rotate', 'data-user': u.id }, async () => {
            const r = await callJson<{ apiKey: string }>(`/v1/users/${u.id}/rotate`, { method: 'POST' });
            showKey(r.apiKey);
          }),
          actionButton(t('revoke'), { class: 'small danger', 'data-action': 'revoke', 'data-user': u.id }, async () => {
            if (!confirm(t('confirmRevoke', u.ref ?? u.id))) return;
            await callJson(`/v1/users/${u.id}/revoke`, { method: 'POST' });
            load();
          })),
      ]), (i) => ({ 'data-user': users[i]!.id, 'data-role': users[i]!.role })),
      add, addError,
    ];
  });
  load();
  return h('section', { class: 'card wide' }, h('h2', {}, t('navUsers')), h('p', { class: 'hint' }, t('usersIntro')), shown, out);
}
