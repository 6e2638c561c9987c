import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A file in storage: a stored object under its key, or the temporary file of a write in progress. */
export interface StoredFile {
  name: string;
  /** The key of a stored object; null for a write in progress (or one a crash left behind). */
  key: string | null;
  modifiedAt: Date;
}

/**
 * Where artifact bytes live. Local disk under DATA_DIR by default; an S3-compatible store can
 * implement the same calls (its multipart upload is the same write-then-publish).
 */
export abstract class ArtifactStorage {
  /**
   * Streams `source` through `check` and publishes the bytes under `key` only if both finish
   * without error. Until then the key is untouched: readers see the old bytes or none.
   */
  abstract store(key: string, source: Readable, check: Transform): Promise<void>;
  abstract reader(key: string): Readable;
  abstract remove(key: string): Promise<void>;
  abstract list(): Promise<StoredFile[]>;
  /** Removes a listed file (a stored object or a leftover temporary file). */
  abstract removeListed(file: StoredFile): Promise<void>;
}

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `<key>.<random>.partial`: the key keeps it traceable, the random part keeps writers apart. */
const PARTIAL = /^[0-9a-f-]{36}\.[0-9a-f]{16}\.partial$/;

export class LocalDiskArtifactStorage extends ArtifactStorage {
  constructor(private readonly root: string) {
    super();
    mkdirSync(root, { recursive: true });
  }

  async store(key: string, source: Readable, check: Transform): Promise<void> {
    const final = this.path(key);
    // Written beside the final name and renamed over it: rename is atomic on one file system, so
    // an interrupted or refused write never truncates or replaces what is stored.
    const partial = join(this.root, `${key}.${randomBytes(8).toString('hex')}.partial`);
    try {
      await pipeline(source, check, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      await rename(partial, final);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  reader(key: string): Readable {
    return createReadStream(this.path(key));
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async list(): Promise<StoredFile[]> {
    const files: StoredFile[] = [];
    for (const name of await readdir(this.root)) {
      if (!KEY.test(name) && !PARTIAL.test(name)) continue; // not ours: leave it alone
      const info = await stat(join(this.root, name)).catch(() => null);
      if (!info?.isFile()) continue;
      files.push({ name, key: KEY.test(name) ? name : null, modifiedAt: info.mtime });
    }
    return files;
  }

  async removeListed(file: StoredFile): Promise<void> {
    if (!KEY.test(file.name) && !PARTIAL.test(file.name)) throw new Error('not a storage file');
    await rm(join(this.root, file.name), { force: true });
  }

  /** Keys are ids this module generates (uuids); anything else is refused, never a path. */
  private path(key: string): string {
    if (!KEY.test(key)) throw new Error('invalid storage key');
    return join(this.root, key);
  }
}
