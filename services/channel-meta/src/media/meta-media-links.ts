import type { Envelope } from '@switchboard/contracts';
import type { MediaLink } from '@switchboard/service-kit';
import { z } from 'zod';

/** Every inbound event that carries content (messages, edits, echoes, comments) has these two fields. */
const withAttachmentsSchema = z.looseObject({
  connection: z.looseObject({ id: z.string() }),
  content: z.looseObject({ attachments: z.array(z.looseObject({ platformFileId: z.string() })) }),
});

/** The attachment URLs of a batch of inbound events, per connection (Meta's platform file id is the CDN URL). */
export function mediaLinksOf(envelopes: readonly Envelope[]): MediaLink[] {
  const links = new Map<string, MediaLink>();
  for (const envelope of envelopes) {
    const data = withAttachmentsSchema.safeParse(envelope.data);
    if (!data.success) continue;
    for (const attachment of data.data.content.attachments) {
      links.set(`${data.data.connection.id} ${attachment.platformFileId}`, { connectionId: data.data.connection.id, url: attachment.platformFileId });
    }
  }
  return [...links.values()];
}
