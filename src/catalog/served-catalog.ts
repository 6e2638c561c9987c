import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CatalogDocument } from './catalog.types.js';

export interface ServedCatalog {
  document: CatalogDocument;
  /** The JSON bytes, and the same gzipped once at boot (most clients accept gzip). */
  body: Buffer;
  gzipped: Buffer;
  /** Strong ETags, one per representation. */
  etag: string;
  gzipEtag: string;
}

/** Serialises, gzips and hashes a catalog document once, so requests send prebuilt bytes. */
export function serve(document: CatalogDocument): ServedCatalog {
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
