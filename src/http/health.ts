/** `/healthz` (the process answers) and `/readyz` (every check of the process passes), as JSON. */
import { LIVE, readinessStatus } from '../temporal/health';
import type { Authentication } from './auth';
import type { Call, HttpApp } from './app';
import { sendJson } from './transport';

/** The handlers of the two health routes. */
export function healthHandlers(app: HttpApp) {
  return {
    live: (call: Call<Authentication | null>) => sendJson(call.res, 200, LIVE),
    ready: async (call: Call<Authentication | null>) => {
      const checks = app.deps.readiness;
      if (!checks) return sendJson(call.res, 200, { status: 'ready', failing: [], checks: {} });
      const readiness = await checks.readiness();
      return sendJson(call.res, readinessStatus(readiness), readiness);
    },
  };
}
