import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * Where artifact bytes live. Local disk under DATA_DIR by default; an S3-compatible store can
 * implement the same four calls.
 */
export abstract class ArtifactStorage {
  abstract writer(key: string): Writable;
  abstract reader(key: string): Readable;
  abstract remove(key: string): Promise<void>;
}

export class LocalDiskArtifactStorage extends ArtifactStorage {
  constructor(private readonly root: string) {
    super();
    mkdirSync(root, { recursive: true });
  }

  writer(key: string): Writable {
    return createWriteStream(this.path(key), { flags: 'w', mode: 0o600 });
  }

  reader(key: string): Readable {
    return createReadStream(this.path(key));
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  /** Keys are ids this module generates (uuids); anything else is refused, never a path. */
  private path(key: string): string {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error('invalid storage key');
    return join(this.root, key);
  }
}
