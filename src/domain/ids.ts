/** Workflow IDs, derived from plan and unit codes (ASCII), so starting a plan twice creates nothing twice. */

/** Workflow ID of a unit under a plan: `duban/<plan>/<unit>`. */
export function unitWorkflowId(planId: string, unitCode: string): string {
  return `duban/${planId}/${unitCode}`;
}

/** Workflow ID of one obligation of a unit: `duban/<plan>/<unit>/<obligation id>`. */
export function obligationWorkflowId(planId: string, unitCode: string, obligationId: string): string {
  return `${unitWorkflowId(planId, unitCode)}/${obligationId}`;
}
