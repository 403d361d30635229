/**
 * Wiring for processes that run the activities (`duban start`'s worker, `duban simulate`): store and mailer
 * from the environment, one started dispatcher, and the activities around them. Not imported by workflows.
 */
import type { Directory } from '../src/domain/directory';
import { channelPolicyFromEnv } from '../src/mail/channels/config';
import { secretsFromEnv } from '../src/mail/channels/secrets';
import { Channels } from '../src/mail/channels/senders';
import { mailConfigFromEnv } from '../src/mail/config';
import { Dispatcher, type DispatcherOptions } from '../src/mail/dispatcher';
import { signForConfigFromEnv } from '../src/mail/sign-for-token';
import { type Logger, processLogger } from '../src/telemetry/logger';
import { type Mailer, createMailer, smtpOptions } from '../src/mail/transport';
import { openStore, storeConfigFromEnv } from '../src/store';
import type { Store } from '../src/store/types';
import { type Activities, type ActivityObserver, createActivities } from '.';

export interface ActivityRuntime {
  activities: Activities;
  store: Store;
  mailer: Mailer;
  dispatcher: Dispatcher;
  /** Sends whatever is still queued, then closes the dispatcher, mailer and store. */
  close(): Promise<void>;
}

export interface ActivityRuntimeOptions {
  directory: Directory;
  /** Where configuration is read from. (Default: process.env) */
  env?: NodeJS.ProcessEnv;
  /** (Default: the process's logger) */
  logger?: Logger;
  /** Overrides of the dispatcher's tuning; the grace comes from DUBAN_DIGEST_GRACE_MS. (Default: {}) */
  dispatcher?: DispatcherOptions;
  /** See `ActivityDeps.observer`. (Default: none) */
  observer?: ActivityObserver;
}

/**
 * Checks the store and mail settings without opening or connecting anything, so a typo stops a start before it
 * launches a server; throws an error naming the variable (never echoing SMTP_URL).
 */
export function checkRuntimeConfig(env: NodeJS.ProcessEnv = process.env): void {
  const mail = mailConfigFromEnv(env);
  storeConfigFromEnv(env);
  signForConfigFromEnv(env);
  channelPolicyFromEnv(env);
  if (mail.transport.kind === 'smtp') smtpOptions(mail.transport.url, mail.transport.insecureLoopback);
}

/** Opens the store (migrating it), the mailer and a started dispatcher, and builds the activities. */
export async function openActivityRuntime(options: ActivityRuntimeOptions): Promise<ActivityRuntime> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? processLogger;
  const mail = mailConfigFromEnv(env);
  const channelPolicy = channelPolicyFromEnv(env);
  const store = await openStore(storeConfigFromEnv(env));
  const mailer = createMailer(mail.transport, mail.from);
  const channels = new Channels({ directory: options.directory, policy: channelPolicy, secrets: secretsFromEnv(env) });
  const dispatcher = new Dispatcher(
    { store, mailer, directory: options.directory, logger, channels },
    {
      graceMs: mail.digestGraceMs,
      publicUrl: mail.publicUrl,
      signFor: signForConfigFromEnv(env),
      ...options.dispatcher,
    },
  );
  dispatcher.start();
  const missing = channels.missingSecrets();
  if (missing.length > 0)
    logger.warn('channel secrets not set: those deliveries wait queued until they are (docs/channels.md)', {
      missing,
    });
  logger.info('outbox dispatcher started', { store: store.dialect, transport: mailer.kind, target: mailer.target });
  const activities = createActivities({
    store,
    directory: options.directory,
    mailer,
    dispatcher,
    channelPolicy,
    logger,
    observer: options.observer,
  });
  return {
    activities,
    store,
    mailer,
    dispatcher,
    async close() {
      try {
        await dispatcher.drain();
      } finally {
        mailer.close();
        await store.close();
      }
    },
  };
}
