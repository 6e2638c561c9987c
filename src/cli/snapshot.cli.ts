/**
 * `npm run catalog:snapshot`: writes the public catalog, the OpenAPI document and the workflows'
 * Arazzo document to snapshots/.
 * They are committed; a test fails when the live ones differ, so every change of who can reach
 * what shows up in review as a diff.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARAZZO_PATH } from '../catalog/arazzo.js';
import {
  ARAZZO_SNAPSHOT,
  normaliseCatalog,
  SNAPSHOT_BASE_URL,
  SNAPSHOT_DIR,
  stableJson,
} from '../catalog/snapshot.js';
import { loadConfig } from '../config/index.js';
import { runCli } from './run-cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gpx-snapshot-'));

runCli({
  usage: 'npm run catalog:snapshot',
  parseArgs: () => ({}),
  // Not the environment's configuration: a fresh embedded database and a fixed base URL, so the
  // snapshot does not depend on where it was made.
  config: () =>
    loadConfig({ DATA_DIR: dataDir, PUBLIC_BASE_URL: SNAPSHOT_BASE_URL, LOG_LEVEL: 'warn' }),
  async run(running) {
    // Fetched over HTTP: the snapshot is exactly what clients are served.
    await running.app.listen(0, '127.0.0.1');
    const base = await running.app.getUrl();
    const catalog = (await (await fetch(`${base}/api/programmatic/catalog`)).json()) as Parameters<
      typeof normaliseCatalog
    >[0];
    const openApi: unknown = await (await fetch(`${base}/api/openapi.json`)).json();
    const arazzo: unknown = await (await fetch(`${base}${ARAZZO_PATH}`)).json();
    mkdirSync(SNAPSHOT_DIR, { recursive: true });
    writeFileSync(join(SNAPSHOT_DIR, 'catalog.json'), stableJson(normaliseCatalog(catalog)));
    writeFileSync(join(SNAPSHOT_DIR, 'openapi.json'), stableJson(openApi));
    writeFileSync(join(SNAPSHOT_DIR, ARAZZO_SNAPSHOT), stableJson(arazzo));
    return `Wrote ${SNAPSHOT_DIR}/catalog.json, openapi.json and ${ARAZZO_SNAPSHOT}`;
  },
  cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
});
