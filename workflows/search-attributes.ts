import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
