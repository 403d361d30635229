/** Resolves a notice's recipient roles to contacts through the unit directory. */
import type { Contact, Directory, Unit } from '../domain/directory';
import type { Notice, RecipientRole } from '../domain/notice';
import type { Recipient } from '../store/types';
import { MailInputError, type MailErrorType, assertAddress, assertHeaderSafe } from './errors';

function unitOf(directory: Directory, code: string, why: string): Unit {
  const unit = directory.units.find((u) => u.code === code);
  if (!unit) throw new MailInputError(`unit '${code}' (${why}) is not in the unit directory`, 'UnknownUnit');
  return unit;
}

/** A contact left out of a notice because it cannot be mailed safely; the other recipients still get it. */
export interface SkippedContact {
  unitCode: string;
  role: RecipientRole;
  /** Which contact of the unit. */
  which: 'officer' | 'head';
  /** `HeaderInjection` or `InvalidAddress`. */
  type: MailErrorType;
  /** What is wrong, naming the field (never the value). */
  reason: string;
}

/**
 * Who receives a notice, one entry per distinct address (first role wins), in role order:
 * - `officer`, `head`: the notice unit's 联络员 / 单位负责人;
 * - `lead-units`: the head of each lead unit (牵头单位负责人);
 * - `general-office`: the general office's head AND officer — escalations there must reach a person who
 *   can act (the head) and the desk that keeps the 督查 records (the officer).
 * A contact whose name or address cannot go into a mail header is skipped and returned in `skipped`: one bad
 * entry must not silence a notice for everyone else. Throws a {@link MailInputError}: UnknownUnit, a unit name
 * unfit for the subject line (HeaderInjection), or — when no recipient is left — the first skipped contact's type
 * (or NoRecipients), naming every skipped contact.
 */
export function resolveRecipients(
  notice: Pick<Notice, 'unitCode' | 'notify' | 'leadUnitCodes'>,
  directory: Directory,
): { recipients: Recipient[]; skipped: SkippedContact[] } {
  const out: Recipient[] = [];
  const skipped: SkippedContact[] = [];
  const add = (contact: Contact, role: RecipientRole, unit: Unit, which: 'officer' | 'head') => {
    const field = `${which} of ${unit.code}`;
    try {
      assertHeaderSafe(contact.name, `name of the ${field}`);
      assertAddress(contact.email, `e-mail address of the ${field}`);
    } catch (err) {
      if (!(err instanceof MailInputError)) throw err;
      if (!skipped.some((k) => k.unitCode === unit.code && k.which === which))
        skipped.push({ unitCode: unit.code, role, which, type: err.type, reason: err.message });
      return;
    }
    if (out.some((r) => r.address.toLowerCase() === contact.email.toLowerCase())) return;
    out.push({ address: contact.email, name: contact.name, role, unitCode: unit.code, locale: contact.locale ?? 'zh' });
  };
  for (const role of notice.notify) {
    switch (role) {
      case 'officer':
      case 'head': {
        const unit = unitOf(directory, notice.unitCode, 'the notice unit');
        add(unit[role], role, unit, role);
        break;
      }
      case 'lead-units':
        for (const code of notice.leadUnitCodes) {
          const unit = unitOf(directory, code, 'a lead unit');
          add(unit.head, role, unit, 'head');
        }
        break;
      case 'general-office': {
        const unit = unitOf(directory, directory.generalOffice, 'the general office');
        add(unit.head, role, unit, 'head');
        add(unit.officer, role, unit, 'officer');
        break;
      }
    }
  }
  // Unit names end up in the subject line.
  for (const code of new Set([
    notice.unitCode,
    ...(notice.notify.includes('lead-units') ? notice.leadUnitCodes : []),
  ])) {
    const unit = directory.units.find((u) => u.code === code);
    if (unit) assertHeaderSafe(unit.name, `name of unit ${code}`);
  }
  if (out.length === 0) {
    const why = skipped.map((k) => k.reason).join('; ');
    throw new MailInputError(
      `notice for ${notice.unitCode} resolves to no recipient (roles: ${notice.notify.join(', ') || 'none'})` +
        (why ? `: ${why}` : ''),
      skipped[0]?.type ?? 'NoRecipients',
    );
  }
  return { recipients: out, skipped };
}
