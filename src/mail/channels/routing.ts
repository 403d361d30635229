/**
 * Which endpoints a notice reaches beyond mail: the channel policy names the channels of its stage, the directory the
 * units' robots and the contacts' mobiles. A person or unit reachable on none of the stage's channels gets the
 * notice by mail instead, so routing never silences a notice.
 */
import type { Directory, Unit } from '../../domain/directory';
import type { Notice, RecipientRole } from '../../domain/notice';
import type { Recipient } from '../../store/types';
import { MailInputError } from '../errors';
import { type ChannelName, type ChannelPolicy, ROBOT_CHANNELS, type RobotChannel, stageClassOf } from './config';
import { channelAddress } from './senders';

/** What {@link routeNotice} decided for one notice. */
export interface Route {
  /** The channels of the notice's stage. */
  channels: ChannelName[];
  /** Channel endpoints (outbox addresses such as `dingtalk:fj-czt`), one per address. */
  recipients: Recipient[];
  /**
   * The part of the notice that goes by mail: every role when the stage names `mail`, else the roles (and lead
   * units) no channel reached. Null when nothing goes by mail.
   */
  mail: Pick<Notice, 'unitCode' | 'notify' | 'leadUnitCodes'> | null;
}

function unitOf(directory: Directory, code: string, why: string): Unit {
  const unit = directory.units.find((u) => u.code === code);
  if (!unit) throw new MailInputError(`unit '${code}' (${why}) is not in the unit directory`, 'UnknownUnit');
  return unit;
}

/** Routes a notice by the channel policy. Throws a {@link MailInputError} (UnknownUnit) as mail recipients do. */
export function routeNotice(
  notice: Pick<Notice, 'stage' | 'unitCode' | 'notify' | 'leadUnitCodes'>,
  directory: Directory,
  policy: ChannelPolicy,
): Route {
  const channels = policy.stages[stageClassOf(notice.stage)];
  const robots = channels.filter((c): c is RobotChannel => (ROBOT_CHANNELS as readonly string[]).includes(c));
  const sms = channels.includes('sms');
  const recipients: Recipient[] = [];
  const add = (r: Recipient) => {
    if (!recipients.some((x) => x.address === r.address)) recipients.push(r);
  };
  /** Adds the unit's endpoints for `role`; true when at least one exists. */
  const reach = (unit: Unit, role: RecipientRole, which: ('officer' | 'head')[]): boolean => {
    let reached = false;
    for (const channel of robots) {
      if (!unit.channels?.[channel]) continue;
      add({
        address: channelAddress({ channel, unitCode: unit.code }),
        name: unit.name,
        role,
        unitCode: unit.code,
        locale: 'zh',
      });
      reached = true;
    }
    if (sms)
      for (const w of which) {
        const contact = unit[w];
        if (!contact.mobile) continue;
        add({
          address: channelAddress({ channel: 'sms', unitCode: unit.code, which: w }),
          name: contact.name,
          role,
          unitCode: unit.code,
          locale: contact.locale ?? 'zh',
        });
        reached = true;
      }
    return reached;
  };
  const missedRoles: RecipientRole[] = [];
  const missedLeads: string[] = [];
  if (robots.length > 0 || sms)
    for (const role of notice.notify) {
      switch (role) {
        case 'officer':
        case 'head':
          if (!reach(unitOf(directory, notice.unitCode, 'the notice unit'), role, [role])) missedRoles.push(role);
          break;
        case 'lead-units':
          for (const code of notice.leadUnitCodes)
            if (!reach(unitOf(directory, code, 'a lead unit'), role, ['head'])) missedLeads.push(code);
          if (missedLeads.length > 0) missedRoles.push(role);
          break;
        case 'general-office':
          if (!reach(unitOf(directory, directory.generalOffice, 'the general office'), role, ['head', 'officer']))
            missedRoles.push(role);
          break;
      }
    }
  else missedRoles.push(...notice.notify);
  const mail = channels.includes('mail')
    ? { unitCode: notice.unitCode, notify: notice.notify, leadUnitCodes: notice.leadUnitCodes }
    : missedRoles.length > 0
      ? { unitCode: notice.unitCode, notify: missedRoles, leadUnitCodes: missedLeads }
      : null;
  return { channels, recipients, mail };
}
