import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { searchAttributeRegistrations } from '../../workflows/search-attributes';
import type { Logger } from '../telemetry/logger';
import type { TemporalConfig } from './config';
import { connectionOptions } from './connection';

const types: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * Registers duban's search attributes on a real cluster when they are missing (the embedded dev server gets
 * them on its command line). Returns the names it added; a cluster that refuses (Temporal Cloud manages them
 * elsewhere) is reported, not fatal.
 */
export async function ensureSearchAttributes(config: TemporalConfig, logger: Logger): Promise<string[]> {
  const connection = await Connection.connect(connectionOptions(config));
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace: config.namespace });
    const missing = Object.entries(searchAttributeRegistrations).filter(
      ([name]) => !(name in existing.customAttributes),
    );
    if (missing.length === 0) return [];
    try {
      await connection.operatorService.addSearchAttributes({
        namespace: config.namespace,
        searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, types[type]!])),
      });
      return missing.map(([name]) => name);
    } catch (err) {
      logger.warn(
        `could not register search attributes ${missing.map(([n]) => n).join(', ')}: ${(err as Error).message}. ` +
          'Register them with `temporal operator search-attribute create` (see README).',
      );
      return [];
    }
  } finally {
    await connection.close();
  }
}
