import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConfig } from './config';

function tlsOptions(config: TemporalConfig): ConnectionOptions['tls'] {
  if (config.tls) {
    return {
      clientCertPair: { crt: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) },
      serverRootCACertificate: config.tls.caPath ? readFileSync(config.tls.caPath) : undefined,
      serverNameOverride: config.tls.serverName,
    };
  }
  return config.apiKey ? true : undefined;
}

/** The address to connect to: the real cluster's, or the embedded dev server's on loopback. */
export function temporalAddress(config: TemporalConfig): string {
  return config.address ?? `127.0.0.1:${config.devServerPort}`;
}

/** Options shared by client and worker connections. */
export function connectionOptions(config: TemporalConfig): ConnectionOptions & NativeConnectionOptions {
  return {
    address: temporalAddress(config),
    tls: tlsOptions(config),
    apiKey: config.apiKey,
  } as ConnectionOptions & NativeConnectionOptions;
}

/**
 * A client for the configured server and namespace; close its connection when done. `connectTimeoutMs` bounds the
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
  return new Client({ connection, namespace: config.namespace });
}

/** The worker's native connection to the configured server. */
export function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
