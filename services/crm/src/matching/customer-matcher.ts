import type { ChatCreated, ChatMessageAdded, Envelope } from '@switchboard/contracts';
import { queryRows, type Queryable } from '@switchboard/persistence';
import type { Logger } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import type { UnmatchedCustomerPolicy } from '../crm.config';
import { emailInText, normalisePhone } from '../directory/contact-normalise';
import type { DirectoryService } from '../directory/directory.service';
import type { ChatLinkService } from '../links/chat-link.service';
import { targetOf } from '../links/chat-link.row';
import { matchCustomer, type CustomerData } from './customer-match';

/**
 * Links chats to directory records as customers appear and reveal their data (issue 7):
 * - chat.created: the customer's social profile is matched; a customer nobody matches becomes a new lead
 *   or client, or stays unlinked (CRM_UNMATCHED_CUSTOMER);
 * - an inbound message sharing a phone (contact) or typing an e-mail: matched again, since chat.created
 *   carries neither, for chats without a link or linked to the record created for a then-unknown customer;
 *   no match enriches that record instead. A chat matched already keeps its record: a later datum pointing
 *   elsewhere (a friend's contact card) must not make the link flip.
 * Records created for a customer are unique per chat customer id, and links only change when they differ,
 * so a redelivered event creates and publishes nothing twice. An employee's decision is never overridden.
 */
export class CustomerMatcher {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      directory: DirectoryService;
      links: ChatLinkService;
      unmatched: UnmatchedCustomerPolicy;
      phoneCountryCode: string;
      logger: Logger;
      onEvents: () => void;
    },
  ) {}

  async onChatCreated(envelope: Envelope<ChatCreated>): Promise<void> {
    const { chatId, channel, customer } = envelope.data;
    const changed = await this.deps.dataSource.transaction(async (manager) => {
      const current = await this.deps.links.lockedCurrent(manager, chatId);
      // Linked already (a redelivery, or an employee was quicker than this consumer) or deleted: nothing to do.
      if (current !== undefined) return false;
      const social = { channel, customerId: customer.customerId, ...(customer.username ? { username: customer.username } : {}) };
      const match = await matchCustomer(manager, { social });
      if (match && 'target' in match) return this.deps.links.linkAutomatically(manager, chatId, { ...match, origin: 'matched' }, envelope);
      if (match) {
        this.deps.logger.info({ chatId, ambiguous: match.ambiguous }, 'several records match the customer: left for an employee to link');
        return false;
      }
      if (this.deps.unmatched === 'none') return false;
      const id = await this.recordFor(manager, this.deps.unmatched, envelope.data);
      return this.deps.links.linkAutomatically(manager, chatId, { target: { kind: this.deps.unmatched, id }, origin: 'created' }, envelope);
    });
    if (changed) this.deps.onEvents();
  }

  async onMessageAdded(envelope: Envelope<ChatMessageAdded>): Promise<void> {
    const { chatId, message } = envelope.data;
    if (message.direction !== 'inbound') return;
    const phoneDigits = message.contact ? normalisePhone(message.contact.phone, this.deps.phoneCountryCode) : undefined;
    const emailNorm = message.text ? emailInText(message.text) : undefined;
    if (!phoneDigits && !emailNorm) return;
    const data: CustomerData = { ...(phoneDigits ? { phoneDigits } : {}), ...(emailNorm ? { emailNorm } : {}) };
    const changed = await this.deps.dataSource.transaction(async (manager) => {
      const current = await this.deps.links.lockedCurrent(manager, chatId);
      if (current === 'deleted' || current?.origin === 'employee' || current?.origin === 'matched') return false;
      const match = await matchCustomer(manager, data);
      if (match && 'target' in match) return this.deps.links.linkAutomatically(manager, chatId, { ...match, origin: 'matched' }, envelope);
      // Nobody else has these data: they belong on the record made for this customer (the D1 panel shows them).
      const target = targetOf(current);
      if (!match && current?.origin === 'created' && (target?.kind === 'lead' || target?.kind === 'client')) {
        await this.enrich(manager, target.kind, target.id, { phone: message.contact?.phone, phoneDigits, emailNorm });
      }
      return false;
    });
    if (changed) this.deps.onEvents();
  }

  /** The lead or client made for this chat customer: created once, found again on redelivery or a second chat. */
  private async recordFor(manager: Queryable, kind: 'lead' | 'client', data: ChatCreated): Promise<string> {
    const { customer, channel } = data;
    const created =
      kind === 'lead'
        ? await queryRows<{ id: string }>(
            manager,
            `INSERT INTO crm.leads (title, contact_name, origin_customer_id) VALUES ($1, $2, $3) ON CONFLICT (origin_customer_id) DO NOTHING RETURNING id`,
            [`${customer.displayName} (${channel})`, customer.displayName, customer.customerId],
          )
        : await queryRows<{ id: string }>(manager, `INSERT INTO crm.clients (name, origin_customer_id) VALUES ($1, $2) ON CONFLICT (origin_customer_id) DO NOTHING RETURNING id`, [
            customer.displayName,
            customer.customerId,
          ]);
    if (created[0]) {
      await this.deps.directory.addSocialProfiles(manager, kind, created[0].id, [
        { kind: channel, customerId: customer.customerId, ...(customer.username ? { handle: customer.username } : {}) },
      ]);
      return created[0].id;
    }
    const existing = await queryRows<{ id: string }>(manager, `SELECT id FROM crm.${kind === 'lead' ? 'leads' : 'clients'} WHERE origin_customer_id = $1`, [customer.customerId]);
    return existing[0]!.id;
  }

  /** Fills what the record lacks; never overwrites what an employee entered. */
  private async enrich(manager: Queryable, kind: 'client' | 'lead', id: string, data: { phone?: string; phoneDigits?: string; emailNorm?: string }): Promise<void> {
    await manager.query(
      `UPDATE crm.${kind === 'lead' ? 'leads' : 'clients'} SET
         phone = COALESCE(phone, $2), phone_digits = COALESCE(phone_digits, $3),
         email = COALESCE(email, $4), email_norm = COALESCE(email_norm, $4), updated_at = now()
       WHERE id = $1 AND (($3::text IS NOT NULL AND phone_digits IS NULL) OR ($4::text IS NOT NULL AND email_norm IS NULL))`,
      [id, data.phoneDigits ? (data.phone ?? null) : null, data.phoneDigits ?? null, data.emailNorm ?? null],
    );
  }
}
