/**
 * Sign-for (签收) through the mailed link: no login, the signed token is the permission. The link's GET shows what
 * is signed for and one button; only its POST signs, so a mail scanner that fetches links signs for nothing. (The
 * obligation page's button and its API are the obligation handlers'.)
 */
import type { Authentication } from '../auth';
import type { Call, HttpApp } from '../app';
import { HttpError } from '../errors';
import { html, shanghai } from '../html';
import { signForPage } from '../pages';
import { sendHtml, sendJson } from '../transport';
import { SignForTokenError, verifySignForToken, type SignForClaims } from '../../mail/sign-for-token';
import { OBLIGATION_NAMES, ROLE_NAMES, stageName } from '../../domain/names';
import type { ObligationRef } from '../../service';

/** The handlers. */
export function signForHandlers(app: HttpApp) {
  const { duban } = app.deps;
  const now = (): number => app.deps.now?.() ?? Date.now();

  /** The token's claims, or the refusal: 404 when sign-for is off, 400 not a link of ours, 410 expired. */
  function claimsOf(call: Call<Authentication | null>): SignForClaims {
    const config = app.deps.signFor;
    if (!config) throw new HttpError(404, 'sign-for links are not configured on this server', 'NotFound');
    try {
      const claims = verifySignForToken(config, call.params.token ?? '', now());
      if (claims.planId !== app.planId)
        throw new SignForTokenError(`this link is for plan ${claims.planId}, not ${app.planId}`, 'invalid');
      return claims;
    } catch (err) {
      if (!(err instanceof SignForTokenError)) throw err;
      if (err.reason === 'expired')
        throw new HttpError(410, `${err.message}; sign for on the dashboard instead`, 'SignForLinkExpired');
      throw new HttpError(400, err.message, 'SignForLinkInvalid');
    }
  }

  const refOf = (c: SignForClaims): ObligationRef => ({
    planId: c.planId,
    unitCode: c.unitCode,
    obligation: c.obligation,
    taskNo: c.taskNo,
    period: c.period,
  });
  /** Who signed through a link: the recipient's role at the unit, never a name. */
  const byOf = (c: SignForClaims): string => `${c.role}@${c.unitCode}`;

  const describe = (c: SignForClaims) => {
    const stage = c.key.slice(c.key.lastIndexOf('/') + 1);
    const unit = app.unitNames.get(c.unitCode) ?? c.unitCode;
    const kind = OBLIGATION_NAMES[c.obligation]?.zh ?? c.obligation;
    return {
      unit,
      what: `${c.taskNo !== null ? `任务${c.taskNo} ` : ''}${kind}${c.period ? ` ${c.period}` : ''}`,
      stage: stageName(stage),
      role: ROLE_NAMES[c.role]?.zh ?? c.role,
    };
  };

  async function signByLink(c: SignForClaims) {
    return duban.obligations.signFor(refOf(c), { noticeKey: c.key, by: byOf(c), via: 'link' });
  }

  return {
    async linkPage(call: Call<Authentication | null>) {
      const c = claimsOf(call);
      const d = describe(c);
      return sendHtml(
        call.res,
        200,
        signForPage({
          title: '签收通知',
          body: html`<p>${d.unit}：${d.what}，${d.stage}。</p>
            <p class="muted">签收人：${d.unit}${d.role}；链接有效期至 ${shanghai(new Date(c.exp).toISOString())}。</p>
            <form class="card" method="post" action="/sign-for/${call.params.token ?? ''}">
              <button type="submit" id="sign-for-submit">确认签收</button>
            </form>`,
          banner: app.deps.banner,
        }),
      );
    },

    async linkSign(call: Call<Authentication | null>) {
      const c = claimsOf(call);
      const d = describe(c);
      await signByLink(c);
      return sendHtml(
        call.res,
        200,
        signForPage({
          title: '已签收',
          body: html`<p role="status" id="signed">已签收：${d.unit}：${d.what}，${d.stage}。</p>`,
          banner: app.deps.banner,
        }),
      );
    },

    async apiLinkSign(call: Call<Authentication | null>) {
      const c = claimsOf(call);
      return sendJson(call.res, 200, await signByLink(c));
    },
  };
}
