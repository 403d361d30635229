import { type LogLevel, Runtime, type RuntimeOptions } from '@temporalio/worker';
import { log, sdkLogger } from '../telemetry/logger';

let installed = false;

/**
 * Installs the Temporal runtime once per process, with every log line (the SDK's and the native core's) written by
 * duban's logger at `level` and above, so they read like duban's own and stdout stays clean for `--json` output.
 * Later calls keep the first installation.
 */
export function installRuntime(level: LogLevel, options: Pick<RuntimeOptions, 'shutdownSignals'> = {}): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({
      ...options,
      logger: sdkLogger(log, level),
      // Forwarded: without this the native core writes its own lines to stdout.
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  } catch {
    // Another part of this process installed a runtime first (tests): keep it.
  }
}
