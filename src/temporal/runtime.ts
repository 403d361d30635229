import { type LogLevel, Runtime, type RuntimeOptions } from '@temporalio/worker';
import { log, sdkLogger } from '../telemetry/logger';

let installed = false;

/**
 * Installs the Temporal runtime once per process, with every log line (the SDK's and the native core's) written by
 * duban's logger at `level` and above, so they read like duban's own and stdout stays clean for `--json` output.
 * Later calls keep the first installation.
 */
export function installRuntime(
  level: LogLevel,
  options: Pick<RuntimeOptions, 'shutdownSignals'> & {
    /** `host:port` where the SDK's Prometheus exporter listens (`temporal_…` series). (Default: none) */
    prometheus?: string;
  } = {},
): void {
  if (installed) return;
  installed = true;
  const { prometheus, ...runtimeOptions } = options;
  try {
    Runtime.install({
      ...runtimeOptions,
      logger: sdkLogger(log, level),
      telemetryOptions: {
        // Forwarded: without this the native core writes its own lines to stdout.
        logging: { filter: { core: level, other: level }, forward: {} },
        ...(prometheus ? { metrics: { prometheus: { bindAddress: prometheus } } } : {}),
      },
    });
  } catch {
    // Another part of this process installed a runtime first (tests): keep it.
  }
}
