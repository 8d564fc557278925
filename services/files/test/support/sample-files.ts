import { randomBytes } from 'node:crypto';

/** Real file heads followed by filler: enough for the sniffer, small enough for tests. */
export const SAMPLES = {
  jpeg: () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), randomBytes(2_000)]),
  png: () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(500)]),
  pdf: () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n'),
  exe: () => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), randomBytes(500)]),
  text: () => Buffer.from('Рахунок №17\nСума: 1200 грн\n'),
  unknownBinary: () => Buffer.concat([Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe]), randomBytes(300)]),
  /** A zip whose first entry is word/document.xml: what a .docx is. */
  docx: () => zipWithEntry('word/document.xml', '<w:document/>'),
  zip: () => zipWithEntry('notes.txt', 'hello'),
  mp4: () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12), randomBytes(200)]),
  ogg: () => Buffer.concat([Buffer.from('OggS'), randomBytes(200)]),
  mp3: () => Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), randomBytes(200)]),
  gif: () => Buffer.concat([Buffer.from('GIF89a'), randomBytes(100)]),
  webp: () => Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), randomBytes(100)]),
};

/** One stored (uncompressed) entry: local file header, name, data. Enough for the sniffer's walk. */
function zipWithEntry(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0, 6);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(Buffer.byteLength(name), 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, Buffer.from(name), data, Buffer.from([0x50, 0x4b, 0x01, 0x02]), Buffer.alloc(42)]);
}
