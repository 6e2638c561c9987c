import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CatalogDocument } from './catalog.types.js';

export interface Served<T> {
  document: T;
  /** The JSON bytes, and the same gzipped once at boot (most clients accept gzip). */
  body: Buffer;
  gzipped: Buffer;
  /** Strong ETags, one per representation. */
  etag: string;
  gzipEtag: string;
}

export type ServedCatalog = Served<CatalogDocument>;

/** Serialises, gzips and hashes a document once, so requests send prebuilt bytes. */
export function serve<T>(document: T): Served<T> {
  const body = Buffer.from(JSON.stringify(document));
  const hash = createHash('sha256').update(body).digest('base64url');
  return {
    document,
    body,
    gzipped: gzipSync(body, { level: 9 }),
    etag: `"${hash}"`,
    gzipEtag: `"${hash}-gzip"`,
  };
}
