import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type TypedSearchAttributes,
} from '@temporalio/common';

/** Search attributes operators filter on (`temporal workflow list --query 'DubanUnit="fj-czt"'`). */
export const searchAttributes = {
  plan: defineSearchAttributeKey('DubanPlan', SearchAttributeType.KEYWORD),
  taskNo: defineSearchAttributeKey('DubanTaskNo', SearchAttributeType.INT),
  unit: defineSearchAttributeKey('DubanUnit', SearchAttributeType.KEYWORD),
  obligation: defineSearchAttributeKey('DubanObligation', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('DubanStatus', SearchAttributeType.KEYWORD),
  nextDue: defineSearchAttributeKey('DubanNextDue', SearchAttributeType.DATETIME),
} as const;

/** `name=Type` pairs for `temporal server start-dev --search-attribute`. */
export const searchAttributeRegistrations: Record<string, 'Keyword' | 'Int' | 'Datetime'> = {
  DubanPlan: 'Keyword',
  DubanTaskNo: 'Int',
  DubanUnit: 'Keyword',
  DubanObligation: 'Keyword',
  DubanStatus: 'Keyword',
  DubanNextDue: 'Datetime',
};

/** What identifies a duban workflow in `temporal workflow list --query`. */
export interface SearchIdentity {
  planId: string;
  unitCode: string;
  /** Obligation kind, or `unit` / `emergency-response` for the workflows that carry several. */
  obligation: string;
  taskNo: number | null;
}

/** The identity attributes, for a workflow's start (`typedSearchAttributes`) rather than an upsert in its first task. */
export function identityAttributes(identity: SearchIdentity): SearchAttributePair[] {
  return [
    { key: searchAttributes.plan, value: identity.planId },
    { key: searchAttributes.unit, value: identity.unitCode },
    { key: searchAttributes.obligation, value: identity.obligation },
    ...(identity.taskNo !== null ? [{ key: searchAttributes.taskNo, value: identity.taskNo }] : []),
  ];
}

/** Whether a workflow's attributes already hold this identity (given at its start, or carried over continue-as-new). */
export function holdsIdentity(attributes: TypedSearchAttributes, identity: SearchIdentity): boolean {
  return (
    attributes.get(searchAttributes.plan) === identity.planId &&
    attributes.get(searchAttributes.unit) === identity.unitCode &&
    attributes.get(searchAttributes.obligation) === identity.obligation &&
    (identity.taskNo === null || attributes.get(searchAttributes.taskNo) === identity.taskNo)
  );
}
