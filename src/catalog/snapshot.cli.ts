/**
 * `npm run catalog:snapshot`: writes the public catalog and the OpenAPI document to snapshots/.
 * They are committed; a test fails when the live ones differ, so every change of who can reach
 * what shows up in review as a diff.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApplication } from '../bootstrap.js';
import { loadConfig } from '../config/index.js';
import type { CatalogDocument } from './catalog.service.js';
import { normaliseCatalog, SNAPSHOT_BASE_URL, SNAPSHOT_DIR, stableJson } from './snapshot.js';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gpx-snapshot-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PUBLIC_BASE_URL: SNAPSHOT_BASE_URL,
    LOG_LEVEL: 'warn',
  });
  const running = await createApplication(config);
  try {
    // Fetched over HTTP: the snapshot is exactly what clients are served.
    await running.app.listen(0, '127.0.0.1');
    const base = await running.app.getUrl();
    const catalog = (await (
      await fetch(`${base}/api/programmatic/catalog`)
    ).json()) as CatalogDocument;
    const openApi: unknown = await (await fetch(`${base}/api/openapi.json`)).json();
    mkdirSync(SNAPSHOT_DIR, { recursive: true });
    writeFileSync(join(SNAPSHOT_DIR, 'catalog.json'), stableJson(normaliseCatalog(catalog)));
    writeFileSync(join(SNAPSHOT_DIR, 'openapi.json'), stableJson(openApi));
    process.stdout.write(`Wrote ${SNAPSHOT_DIR}/catalog.json and ${SNAPSHOT_DIR}/openapi.json\n`);
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
