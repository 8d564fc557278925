import type { Logger } from '@switchboard/service-kit';
import sharp from 'sharp';

/** What every thumbnail is: WebP, at most this many pixels on its longer side. */
export const THUMBNAIL_MIME_TYPE = 'image/webp';
export const THUMBNAIL_MAX_SIDE = 320;

/**
 * Types the bundled libvips decodes. HEIC (HEVC) and BMP are not among them; SVG is left out on purpose, as
 * rendering it would interpret a customer's markup.
 */
const THUMBNAILABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/tiff']);

/** Decoding stops above this many pixels (a 10,000 x 10,000 image): a small file must not expand into gigabytes. */
const MAX_INPUT_PIXELS = 100_000_000;

/**
 * Makes the small preview stored next to an image. The original is what matters: an image the decoder
 * cannot read (truncated, or only its magic bytes are right) is stored without a thumbnail, and that
 * outcome is logged rather than failing the upload or the customer's media.
 */
export class Thumbnailer {
  constructor(private readonly logger: Logger) {}

  /** The WebP preview, or undefined when the type has none or the image cannot be decoded. */
  async make(bytes: Buffer, mimeType: string, context: { fileId: string }): Promise<Buffer | undefined> {
    if (!THUMBNAILABLE.has(mimeType)) return undefined;
    try {
      return await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
        // Phones record orientation in EXIF; the preview must look like the photo does.
        .autoOrient()
        .resize({ width: THUMBNAIL_MAX_SIDE, height: THUMBNAIL_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer();
    } catch (error) {
      this.logger.warn({ fileId: context.fileId, mimeType, err: error }, 'image could not be decoded; stored without a thumbnail');
      return undefined;
    }
  }
}
