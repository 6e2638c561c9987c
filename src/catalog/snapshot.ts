import type { CatalogDocument } from './catalog.service.js';

/** The base URL snapshots are rendered with, so they do not depend on where they were made. */
export const SNAPSHOT_BASE_URL = 'http://127.0.0.1:3000';
export const SNAPSHOT_DIR = 'snapshots';
export const ARAZZO_SNAPSHOT = 'workflows.arazzo.json';

/** Drops what changes on every boot (the build time), keeps everything that is a contract. */
export function normaliseCatalog(doc: CatalogDocument): Omit<CatalogDocument, 'generatedAt'> {
  const rest: Partial<CatalogDocument> = { ...doc };
  delete rest.generatedAt;
  return rest as Omit<CatalogDocument, 'generatedAt'>;
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
