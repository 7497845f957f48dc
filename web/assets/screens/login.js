// Sign in with a username and password (POST /v1/login; the demo logins work, password "demo").
import { h, field, explain } from '../ui.js';

export function render(main, ctx) {
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('div', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'button button--primary' }, 'Sign in');

  const form = h('form', {
    class: 'card login',
    'aria-labelledby': 'login-title',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      button.disabled = true;
      try {
        await ctx.signIn(username.value.trim(), password.value);
      } catch (err) {
        error.textContent = err.status === 401 ? 'Wrong username or password.' : explain(err);
        button.disabled = false;
        password.select();
      }
    },
  },
  h('h1', { id: 'login-title' }, 'Sign in to actas'),
  field('Username', username),
  field('Password', password),
  error,
  h('div', { class: 'actions' }, button));

  main.append(h('div', { class: 'center' }, form));
  username.focus();
}
