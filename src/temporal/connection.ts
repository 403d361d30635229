import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { dataConverter } from './codec';
import type { TemporalConfig } from './config';

/** The address to connect to: the real cluster's, or the embedded dev server's on loopback. */
export function temporalAddress(config: TemporalConfig): string {
  return config.address ?? `127.0.0.1:${config.devServerPort}`;
}

/** Options shared by client and worker connections. */
export function connectionOptions(config: TemporalConfig): ConnectionOptions & NativeConnectionOptions {
  return {
    address: temporalAddress(config),
    tls: config.tls,
    apiKey: config.apiKey,
    metadata: config.grpcMeta,
  } as ConnectionOptions & NativeConnectionOptions;
}

/**
 * A client for the configured server and namespace, encrypting payloads when DUBAN_PAYLOAD_KEYS is set; close its
 * connection when done. `connectTimeoutMs` bounds the
 * wait for a server that is not there. (Default: the SDK's, 10 s)
 */
export async function createClient(
  config: TemporalConfig,
  options: { connectTimeoutMs?: number } = {},
): Promise<Client> {
  const connection = await Connection.connect({
    ...connectionOptions(config),
    ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}),
  });
  return new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config.payloadKeys) });
}

/** The worker's native connection to the configured server. */
export function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
