/**
 * What a file is, decided from its first bytes (magic numbers), never from its name or the client's
 * Content-Type: both are chosen by whoever uploads. `kind` is the attachment kind the inbox and the
 * platforms use (image, video, audio, document).
 */
export interface SniffedType {
  mimeType: string;
  kind: 'image' | 'video' | 'audio' | 'document';
  /** Extensions a file of this type may honestly carry (lower case, no dot). */
  extensions: readonly string[];
}

/** Content that is refused whatever it is named: programs an operator could pass on to a customer. */
export interface ForbiddenType {
  forbidden: true;
  description: string;
}

/** How many leading bytes the sniffer needs (zip entry names of Office files sit within the first entries). */
export const SNIFF_BYTES = 64 * 1024;

const t = (mimeType: string, kind: SniffedType['kind'], extensions: string[]): SniffedType => ({ mimeType, kind, extensions });

export const SNIFFED = {
  jpeg: t('image/jpeg', 'image', ['jpg', 'jpeg', 'jpe', 'jfif']),
  png: t('image/png', 'image', ['png']),
  gif: t('image/gif', 'image', ['gif']),
  webp: t('image/webp', 'image', ['webp']),
  bmp: t('image/bmp', 'image', ['bmp']),
  tiff: t('image/tiff', 'image', ['tif', 'tiff']),
  heic: t('image/heic', 'image', ['heic', 'heif']),
  pdf: t('application/pdf', 'document', ['pdf']),
  mp4: t('video/mp4', 'video', ['mp4', 'm4v']),
  quicktime: t('video/quicktime', 'video', ['mov']),
  m4a: t('audio/mp4', 'audio', ['m4a', 'aac']),
  threeGp: t('video/3gpp', 'video', ['3gp']),
  webm: t('video/webm', 'video', ['webm', 'mkv']),
  ogg: t('audio/ogg', 'audio', ['ogg', 'oga', 'opus']),
  mp3: t('audio/mpeg', 'audio', ['mp3']),
  wav: t('audio/wav', 'audio', ['wav']),
  amr: t('audio/amr', 'audio', ['amr']),
  zip: t('application/zip', 'document', ['zip']),
  docx: t('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document', ['docx']),
  xlsx: t('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'document', ['xlsx']),
  pptx: t('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'document', ['pptx']),
  odf: t('application/vnd.oasis.opendocument', 'document', ['odt', 'ods', 'odp']),
  ole: t('application/x-ole-storage', 'document', ['doc', 'xls', 'ppt', 'msg']),
  rtf: t('application/rtf', 'document', ['rtf']),
  gzip: t('application/gzip', 'document', ['gz', 'tgz']),
  sevenZip: t('application/x-7z-compressed', 'document', ['7z']),
  rar: t('application/vnd.rar', 'document', ['rar']),
  text: t('text/plain', 'document', ['txt', 'csv', 'tsv', 'log', 'md', 'json', 'xml', 'html', 'htm', 'vcf', 'ics']),
} as const;

const startsWith = (head: Buffer, bytes: readonly number[], offset = 0) => head.length >= offset + bytes.length && bytes.every((b, i) => head[offset + i] === b);
const ascii = (head: Buffer, offset: number, text: string) => head.length >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;

/** The type of the content, a forbidden type, or undefined when the bytes match nothing we accept. */
export function sniffContent(head: Buffer): SniffedType | ForbiddenType | undefined {
  if (startsWith(head, [0x4d, 0x5a])) return { forbidden: true, description: 'a Windows executable' };
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return { forbidden: true, description: 'a Linux executable' };
  if (startsWith(head, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(head, [0xfe, 0xed, 0xfa, 0xcf]) || startsWith(head, [0xca, 0xfe, 0xba, 0xbe])) {
    return { forbidden: true, description: 'a macOS executable' };
  }
  if (ascii(head, 0, '#!')) return { forbidden: true, description: 'a script' };

  if (startsWith(head, [0xff, 0xd8, 0xff])) return SNIFFED.jpeg;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return SNIFFED.png;
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return SNIFFED.gif;
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return SNIFFED.webp;
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return SNIFFED.wav;
  if (ascii(head, 0, 'BM') && head.length >= 26 && head.readUInt32LE(2) > 26) return SNIFFED.bmp;
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return SNIFFED.tiff;
  if (ascii(head, 0, '%PDF-')) return SNIFFED.pdf;
  if (ascii(head, 4, 'ftyp')) return isoMediaType(head.toString('latin1', 8, 12));
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return SNIFFED.webm;
  if (ascii(head, 0, 'OggS')) return SNIFFED.ogg;
  if (ascii(head, 0, 'ID3') || (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xe6) === 0xe2)) return SNIFFED.mp3;
  if (ascii(head, 0, '#!AMR')) return SNIFFED.amr;
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return zipType(head);
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return SNIFFED.ole;
  if (ascii(head, 0, '{\\rtf')) return SNIFFED.rtf;
  if (startsWith(head, [0x1f, 0x8b])) return SNIFFED.gzip;
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return SNIFFED.sevenZip;
  if (ascii(head, 0, 'Rar!')) return SNIFFED.rar;
  if (isText(head)) return SNIFFED.text;
  return undefined;
}

/** ISO base media files (MP4 family) name their flavour in the ftyp box's major brand. */
function isoMediaType(brand: string): SniffedType | undefined {
  if (/^(heic|heix|heim|heis|mif1|msf1)$/.test(brand)) return SNIFFED.heic;
  if (brand === 'qt  ') return SNIFFED.quicktime;
  if (/^(M4A |M4B |M4P )$/.test(brand)) return SNIFFED.m4a;
  if (/^3g/.test(brand)) return SNIFFED.threeGp;
  if (/^(isom|iso[2-9]|mp41|mp42|avc1|M4V |MSNV|dash|f4v )$/.test(brand)) return SNIFFED.mp4;
  return undefined;
}

/**
 * Office Open XML and OpenDocument files are zip archives: the entry names tell them apart. Local file
 * headers are walked from the start (PK\x03\x04, name length at 26, extra length at 28, name at 30).
 */
function zipType(head: Buffer): SniffedType {
  let offset = 0;
  for (let entries = 0; entries < 64 && offset + 30 <= head.length && head.readUInt32LE(offset) === 0x04034b50; entries += 1) {
    const compressedSize = head.readUInt32LE(offset + 18);
    const nameLength = head.readUInt16LE(offset + 26);
    const extraLength = head.readUInt16LE(offset + 28);
    const name = head.toString('utf8', offset + 30, Math.min(head.length, offset + 30 + nameLength));
    if (name.startsWith('word/')) return SNIFFED.docx;
    if (name.startsWith('xl/')) return SNIFFED.xlsx;
    if (name.startsWith('ppt/')) return SNIFFED.pptx;
    if (name === 'mimetype' && head.toString('latin1', offset + 30 + nameLength + extraLength, offset + 30 + nameLength + extraLength + 39).startsWith('application/vnd.oasis.opendocument')) {
      return SNIFFED.odf;
    }
    // Sizes live in a data descriptor after the data when bit 3 is set: the next header cannot be found.
    if ((head.readUInt16LE(offset + 6) & 0x08) !== 0) break;
    offset += 30 + nameLength + extraLength + compressedSize;
  }
  return SNIFFED.zip;
}

/** Plain text: valid UTF-8 without control characters besides tab, line breaks and form feed. */
function isText(head: Buffer): boolean {
  if (head.length === 0) return false;
  try {
    // stream: true tolerates a character cut in half at the end of the head.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
    if (byte === 0x7f) return false;
  }
  return true;
}

export function isForbidden(type: SniffedType | ForbiddenType | undefined): type is ForbiddenType {
  return type !== undefined && 'forbidden' in type;
}
