/** Pages without a subject: the login form and the error page. */
import { html, layout, type SafeHtml } from '../html';
import { page, type PageContext } from './common';

/** The login form; answered with 401 to unauthenticated page requests. */
export function loginPage(next: string, error?: string, banner?: string): string {
  const body = html`<form class="card" method="post" action="/login">
    ${error ? html`<div class="flash error" role="alert">${error}</div>` : ''}
    <input type="hidden" name="next" value="${next}" />
    <label for="token">访问令牌</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required />
    <p class="muted">督查室使用操作员令牌；各单位联络员使用本单位令牌。</p>
    <button type="submit" id="login-submit">登录</button>
  </form>`;
  return layout({ title: '登录', body, banner });
}

/** A plain error page (400, 403, 404, 405, 500). */
export function errorPage(ctx: PageContext | null, status: number, message: string, banner?: string): string {
  const titles: Record<number, string> = {
    400: '请求有误',
    403: '无权访问',
    404: '未找到',
    405: '不支持的请求方法',
    409: '无法办理',
    410: '链接已过期',
    500: '服务器错误',
  };
  const body = html`<p>${message}</p>`;
  const title = titles[status] ?? `错误 ${status}`;
  return ctx ? page(ctx, title, body) : layout({ title, body, banner });
}

/** A page for someone without a session (the sign-for link): the layout without navigation. */
export function signForPage(options: { title: string; body: SafeHtml; banner?: string }): string {
  return layout(options);
}
