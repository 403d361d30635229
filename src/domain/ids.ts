/** Workflow IDs, derived from plan and unit codes (ASCII), so starting a plan twice creates nothing twice. */

/** Workflow ID of a unit under a plan: `duban/<plan>/<unit>`. */
export function unitWorkflowId(planId: string, unitCode: string): string {
  return `duban/${planId}/${unitCode}`;
}

/** Workflow ID of one obligation of a unit: `duban/<plan>/<unit>/<obligation id>`. */
export function obligationWorkflowId(planId: string, unitCode: string, obligationId: string): string {
  return `${unitWorkflowId(planId, unitCode)}/${obligationId}`;
}

/**
 * Workflow ID of an incident's response: `duban/<plan>/incident-<id>`. Per plan, not per unit, so reporting an
 * incident twice (from any unit) starts one workflow and recording a step finds it without the unit.
 */
export function incidentWorkflowId(planId: string, incidentId: string): string {
  return `duban/${planId}/incident-${incidentId}`;
}

/** Workflow ID of an information request: `duban/<plan>/request-<id>` (request ids are unique per plan). */
export function requestWorkflowId(planId: string, requestId: string): string {
  return `duban/${planId}/request-${requestId}`;
}

/** Incident and request ids: ASCII, because they become part of workflow IDs and notice keys. */
export const WINDOW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
