const MB = 1024 * 1024;

/** The types a post's artifact may have, each with its size limit and how to recognise its bytes. */
export const ARTIFACT_TYPES = {
  'image/png': {
    maxBytes: 10 * MB,
    sniff: (b: Buffer) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  'image/jpeg': {
    maxBytes: 10 * MB,
    sniff: (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  'image/webp': {
    maxBytes: 10 * MB,
    sniff: (b: Buffer) =>
      b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  },
  'application/pdf': {
    maxBytes: 25 * MB,
    sniff: (b: Buffer) => b.toString('latin1', 0, 5) === '%PDF-',
  },
  'audio/mpeg': {
    maxBytes: 50 * MB,
    sniff: (b: Buffer) =>
      b.toString('latin1', 0, 3) === 'ID3' || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0),
  },
  'video/mp4': { maxBytes: 200 * MB, sniff: (b: Buffer) => b.toString('latin1', 4, 8) === 'ftyp' },
  'application/zip': {
    maxBytes: 100 * MB,
    sniff: (b: Buffer) =>
      b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6)),
  },
} as const satisfies Record<string, { maxBytes: number; sniff: (b: Buffer) => boolean }>;

export type ArtifactType = keyof typeof ARTIFACT_TYPES;
export const ARTIFACT_TYPE_NAMES = Object.keys(ARTIFACT_TYPES) as ArtifactType[];
export const MAX_ARTIFACT_BYTES = Math.max(
  ...ARTIFACT_TYPE_NAMES.map((t) => ARTIFACT_TYPES[t].maxBytes),
);
/** Bytes read before sniffing the content type. */
export const SNIFF_BYTES = 16;

export function describeLimits(): string {
  return ARTIFACT_TYPE_NAMES.map((t) => `${t} up to ${ARTIFACT_TYPES[t].maxBytes / MB} MB`).join(
    ', ',
  );
}
