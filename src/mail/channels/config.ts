/**
 * The channel policy (DUBAN_CHANNELS_FILE, JSON): which notice stages go out on which channels, each channel's rate
 * limit, and the SMS gateway. Without the file every stage goes by mail only, as before channels existed. Validated
 * once at start-up; every error names the field (`channels.stages.reminder[1]: …`).
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { SecretRef } from '../../domain/directory';
import { firstIssue, got, integer, object } from '../../domain/json-file';
import type { Stage } from '../../domain/notice';

/** Every channel a notice can take. `mail` is the outbox's e-mail; the others are HTTP endpoints. */
export const CHANNELS = ['mail', 'dingtalk', 'feishu', 'wecom', 'webhook', 'sms'] as const;
export type ChannelName = (typeof CHANNELS)[number];
/** The channels that are a unit's group robot or webhook (one per unit), as opposed to a person's mail or mobile. */
export const ROBOT_CHANNELS = ['dingtalk', 'feishu', 'wecom', 'webhook'] as const;
export type RobotChannel = (typeof ROBOT_CHANNELS)[number];

/** The kinds of stage the policy routes: reminders, an emergency's `opened`, escalations (and calendar errors), breaches. */
export const STAGE_CLASSES = ['reminder', 'opened', 'escalation', 'breach'] as const;
export type StageClass = (typeof STAGE_CLASSES)[number];

/** The class a stage is routed by. */
export function stageClassOf(stage: Stage | string): StageClass {
  if (stage === 'breach') return 'breach';
  if (stage === 'opened') return 'opened';
  if (stage.startsWith('escalation') || stage === 'calendar-error') return 'escalation';
  return 'reminder';
}

/** The SMS gateway: an HTTP endpoint taking `{to, templateId, variables, text, segments}` as JSON. */
export interface SmsGatewayConfig {
  /** The gateway's URL (http: only for a loopback host). */
  url: string;
  /** The gateway's API key. (Default: none) */
  key?: SecretRef;
  /** Header the key goes in. (Default: 'Authorization', as `Bearer <key>`) */
  keyHeader: string;
  /** The template registered with the carrier (短信模板), passed through. (Default: none) */
  templateId?: string;
  /** The text, with `{unit}`, `{subject}`, `{count}`, `{link}` filled in. (Default: see {@link DEFAULT_SMS_TEMPLATE}) */
  template: string;
  /** Longest message in segments; a longer one is shortened at `{subject}`. (Default: 2) */
  maxSegments: number;
}

/** The default SMS text: short enough that a typical digest fits one or two segments. */
export const DEFAULT_SMS_TEMPLATE = '【督办】{unit}：{subject}。详见 {link}';

/** A validated channel policy. */
export interface ChannelPolicy {
  /** Channels per stage class. (Default: every class `['mail']`) */
  stages: Record<StageClass, ChannelName[]>;
  /** Messages per minute per endpoint (robot, mobile, webhook); 0 is no limit. */
  perMinute: Record<Exclude<ChannelName, 'mail'>, number>;
  /** Header the generic webhook's signature goes in. (Default: 'X-Duban-Signature') */
  webhookHeader: string;
  /** (Default: none; a stage routed to `sms` without it is a configuration error) */
  sms?: SmsGatewayConfig;
}

/**
 * Vendor limits: DingTalk and WeCom robots accept 20 messages a minute, a Feishu bot 100; the generic webhook none;
 * SMS 60 per mobile (carriers throttle per number).
 */
export const DEFAULT_PER_MINUTE: ChannelPolicy['perMinute'] = {
  dingtalk: 20,
  feishu: 100,
  wecom: 20,
  webhook: 0,
  sms: 60,
};

/** Mail only, for every stage: what duban did before channels. */
export const DEFAULT_CHANNEL_POLICY: ChannelPolicy = {
  stages: { reminder: ['mail'], opened: ['mail'], escalation: ['mail'], breach: ['mail'] },
  perMinute: DEFAULT_PER_MINUTE,
  webhookHeader: 'X-Duban-Signature',
};

/** Thrown for an invalid channel policy; the message starts with the field. */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

const channelList = z
  .array(z.enum(CHANNELS, { error: (issue) => `expected ${CHANNELS.join(' | ')}, got ${got(issue.input)}` }), {
    error: (issue) => `expected a non-empty array of channels, got ${got(issue.input)}`,
  })
  .min(1, { error: 'expected a non-empty array of channels (a stage nobody hears of is lost)' });

const header = z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'expected an HTTP header name' });

const perMinute = object({ perMinute: integer(0, 10_000).optional() });

const schema = object({
  stages: object(Object.fromEntries(STAGE_CLASSES.map((c) => [c, channelList.optional()]))).optional(),
  dingtalk: perMinute.optional(),
  feishu: perMinute.optional(),
  wecom: perMinute.optional(),
  webhook: object({ perMinute: integer(0, 10_000).optional(), header: header.optional() }).optional(),
  sms: object({
    url: z.string({ error: 'required: the gateway URL' }),
    key: z
      .string()
      .regex(/^(?:env|file):[A-Za-z_][A-Za-z0-9_.-]*$/, {
        error: 'expected a secret reference env:NAME or file:NAME (the key itself never goes in this file)',
      })
      .optional(),
    keyHeader: header.optional(),
    templateId: z.string().optional(),
    template: z.string().min(1).optional(),
    maxSegments: integer(1, 10).optional(),
    perMinute: integer(0, 10_000).optional(),
  }).optional(),
});

/** An http(s) URL; plain http only on a loopback host (test gateways). */
function checkUrl(url: string, field: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ChannelConfigError(`${field}: not a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
    throw new ChannelConfigError(`${field}: must be https:// (http:// only for a loopback host)`);
  if (u.username || u.password) throw new ChannelConfigError(`${field}: credentials go in sms.key, not the URL`);
}

/** Validates a parsed channel policy; unknown fields are errors. Throws {@link ChannelConfigError}. */
export function parseChannelPolicy(json: unknown): ChannelPolicy {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ChannelConfigError(firstIssue(parsed.error, schema, 'channels'));
  const o = parsed.data;
  const stages = { ...DEFAULT_CHANNEL_POLICY.stages };
  for (const c of STAGE_CLASSES) {
    const list = (o.stages as Partial<Record<StageClass, ChannelName[]>> | undefined)?.[c];
    if (list) stages[c] = [...new Set(list)];
  }
  const usesSms = STAGE_CLASSES.some((c) => stages[c].includes('sms'));
  if (usesSms && !o.sms) throw new ChannelConfigError('channels.sms: required when a stage goes by sms');
  if (o.sms) checkUrl(o.sms.url, 'channels.sms.url');
  return {
    stages,
    perMinute: {
      dingtalk: o.dingtalk?.perMinute ?? DEFAULT_PER_MINUTE.dingtalk,
      feishu: o.feishu?.perMinute ?? DEFAULT_PER_MINUTE.feishu,
      wecom: o.wecom?.perMinute ?? DEFAULT_PER_MINUTE.wecom,
      webhook: o.webhook?.perMinute ?? DEFAULT_PER_MINUTE.webhook,
      sms: o.sms?.perMinute ?? DEFAULT_PER_MINUTE.sms,
    },
    webhookHeader: o.webhook?.header ?? DEFAULT_CHANNEL_POLICY.webhookHeader,
    ...(o.sms
      ? {
          sms: {
            url: o.sms.url,
            ...(o.sms.key ? { key: o.sms.key as SecretRef } : {}),
            keyHeader: o.sms.keyHeader ?? 'Authorization',
            ...(o.sms.templateId ? { templateId: o.sms.templateId } : {}),
            template: o.sms.template ?? DEFAULT_SMS_TEMPLATE,
            maxSegments: o.sms.maxSegments ?? 2,
          },
        }
      : {}),
  };
}

/** The channel policy of DUBAN_CHANNELS_FILE, or mail only when it is unset. Errors name the file and field. */
export function channelPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ChannelPolicy {
  const file = env.DUBAN_CHANNELS_FILE;
  if (!file) return DEFAULT_CHANNEL_POLICY;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ChannelConfigError(`DUBAN_CHANNELS_FILE ${file}: ${(err as Error).message}`);
  }
  try {
    return parseChannelPolicy(json);
  } catch (err) {
    throw new ChannelConfigError(`${file}: ${(err as Error).message}`);
  }
}
