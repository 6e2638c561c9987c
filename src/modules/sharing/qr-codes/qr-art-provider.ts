/**
 * AI-styled QR codes come from an outside image service behind this small interface. None is
 * configured by default (UnconfiguredQrArtProvider): `style: "ai"` is then refused with
 * `503 qr_art_unavailable` and nothing is stored. A provider must return an image that still
 * scans to the given URL (the usual technique renders the art over the classic code as a
 * control image); the service stores what it returns as the generation's PNG (and SVG, if any).
 */

/** The art styles a caller may ask for; `custom` is described by the caller's prompt alone. */
export const QR_ART_STYLES = ['watercolor', 'neon', 'pixel', 'origami', 'custom'] as const;
export type QrArtStyle = (typeof QR_ART_STYLES)[number];
/** Styles with nothing to go on but the prompt: a prompt is required for them. */
export const QR_ART_STYLES_NEEDING_PROMPT: readonly QrArtStyle[] = ['custom'];

export interface QrArtRequest {
  /** The absolute URL the code must encode. */
  url: string;
  artStyle: QrArtStyle;
  prompt: string | null;
}

export interface QrArtImage {
  png: Buffer;
  svg: string | null;
}

export abstract class QrArtProvider {
  /** Whether a provider is configured; when false, `render` is never called. */
  abstract readonly available: boolean;
  abstract render(request: QrArtRequest): Promise<QrArtImage>;
}

export class UnconfiguredQrArtProvider extends QrArtProvider {
  readonly available = false;

  render(): Promise<QrArtImage> {
    return Promise.reject(new Error('no QR art provider is configured'));
  }
}
