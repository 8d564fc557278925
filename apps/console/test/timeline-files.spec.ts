import { MEDIA_AWAITED_MS, attachmentKey, awaitingCustomerMedia, filesByAttachment, withUploads } from '../src/chat/timeline-files';
import type { ChatFile, TimelineItem } from '../src/graphql/operations';

const message = (id: string, sentAt: string): TimelineItem => ({
  __typename: 'Message',
  id,
  direction: 'INBOUND',
  text: id,
  sentAt,
  editedAt: null,
  deleted: false,
  placeholder: null,
  deliveryState: null,
  failure: null,
  author: null,
  attachments: [],
});
const note = (id: string, createdAt: string): TimelineItem => ({ __typename: 'Note', id, text: id, createdAt, author: null });

const file = (id: string, createdAt: string, extra: Partial<ChatFile> = {}): ChatFile => ({
  id,
  origin: 'UPLOAD',
  messageId: null,
  attachmentIndex: null,
  state: 'STORED',
  failure: null,
  fileName: `${id}.png`,
  mimeType: 'image/png',
  kind: 'image',
  sizeBytes: 68,
  createdAt,
  downloadUrl: `http://files.test/${id}`,
  downloadUrlExpiresAt: '2026-12-01T10:05:00.000Z',
  thumbnailUrl: null,
  uploadedBy: { id: 'e1', name: 'Ada' },
  ...extra,
});

const order = (entries: ReturnType<typeof withUploads>) => entries.map((entry) => (entry.kind === 'item' ? entry.item.id : `file:${entry.file.id}`));

describe('files in the timeline', () => {
  const items = [message('m1', '2026-12-01T10:00:00.000Z'), note('n1', '2026-12-01T10:02:00.000Z'), message('m2', '2026-12-01T10:04:00.000Z')];

  it('puts each uploaded file at its time, after an item of the same instant', () => {
    const files = [file('late', '2026-12-01T10:09:00.000Z'), file('same', '2026-12-01T10:02:00.000Z'), file('between', '2026-12-01T10:01:00+00:00')];
    expect(order(withUploads(items, files, true))).toEqual(['m1', 'file:between', 'n1', 'file:same', 'm2', 'file:late']);
  });

  it("does not list customers' media again: they belong to their messages", () => {
    const media = file('photo', '2026-12-01T10:01:00.000Z', { origin: 'CHANNEL', messageId: 'm1', attachmentIndex: 0 });
    expect(order(withUploads(items, [media], true))).toEqual(['m1', 'n1', 'm2']);
  });

  it('leaves out uploads older than the loaded history unless the history is complete', () => {
    const old = file('old', '2026-11-30T09:00:00.000Z');
    expect(order(withUploads(items, [old], false))).toEqual(['m1', 'n1', 'm2']);
    expect(order(withUploads(items, [old], true))).toEqual(['file:old', 'm1', 'n1', 'm2']);
    expect(order(withUploads([], [old], false))).toEqual(['file:old']);
  });

  it("finds each attachment's stored file by message and position", () => {
    const first = file('a', '2026-12-01T10:01:00.000Z', { origin: 'CHANNEL', messageId: 'm1', attachmentIndex: 0 });
    const second = file('b', '2026-12-01T10:01:00.000Z', { origin: 'CHANNEL', messageId: 'm1', attachmentIndex: 1 });
    const byAttachment = filesByAttachment([first, second, file('upload', '2026-12-01T10:03:00.000Z')]);
    expect(byAttachment.get(attachmentKey('m1', 1))?.id).toBe('b');
    expect(byAttachment.get(attachmentKey('m1', 0))?.id).toBe('a');
    expect(byAttachment.size).toBe(2);
  });

  it("waits for a recent customer message's media until each has a file row, then stops; old messages are not waited for", () => {
    const sentAt = '2026-12-01T10:00:00.000Z';
    const now = Date.parse(sentAt) + 5_000;
    const photo = { kind: 'image', fileName: null, mimeType: 'image/png', sizeBytes: 68, caption: null };
    const withMedia = { ...message('m1', sentAt), attachments: [photo, photo] } as TimelineItem;
    const media = (index: number, state: ChatFile['state']) => file(`f${index}`, sentAt, { origin: 'CHANNEL', messageId: 'm1', attachmentIndex: index, state });
    expect(awaitingCustomerMedia([withMedia], [], now)).toBe(true);
    expect(awaitingCustomerMedia([withMedia], [media(0, 'STORED')], now)).toBe(true);
    expect(awaitingCustomerMedia([withMedia], [media(0, 'STORED'), media(1, 'FAILED')], now)).toBe(false);
    expect(awaitingCustomerMedia([withMedia], [], Date.parse(sentAt) + MEDIA_AWAITED_MS)).toBe(false);
    expect(awaitingCustomerMedia([message('m2', sentAt), { ...withMedia, direction: 'OUTBOUND' } as TimelineItem], [], now)).toBe(false);
  });
});
