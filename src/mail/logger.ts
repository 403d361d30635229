/** The logging surface mail and activities need; Temporal's `Runtime.logger` and `console` both fit. */

/** Structured log sink. Meta carries keys and codes only, never addresses or credentials. */
export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Logs one line of JSON meta per message to the console. */
export const consoleLogger: Logger = {
  info: (message, meta) => console.log(`[duban] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`),
  warn: (message, meta) => console.warn(`[duban] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`),
  error: (message, meta) => console.error(`[duban] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`),
};
