import { createHash, randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request } from 'express';
import { type EntityManager, type Repository } from 'typeorm';
import { digestSecret } from '../../../access/pat-format.js';
import { WebhookVerifierRegistry } from '../../../access/webhook-verifiers.js';
import { constantTimeEqual, ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PostEntity } from '../posts/post.entity.js';
import { PostsService } from '../posts/posts.service.js';
import { ArtifactStorage } from './artifact-storage.js';
import { ARTIFACT_TYPES, type ArtifactType, SNIFF_BYTES } from './artifact-types.js';
import {
  ArtifactUploadEntity,
  PostArtifactEntity,
  type UploadStatus,
} from './artifact.entities.js';
import type {
  ArtifactDto,
  CreateUploadDto,
  UploadReceivedDto,
  UploadSlotDto,
} from './artifacts.dto.js';

export const UPLOAD_URL_VERIFIER = 'artifact-upload-url';
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 1000;

/** A temporary file unchanged this long has no writer left (a request stalls out long before). */
export const PARTIAL_ABANDONED_MS = 15 * 60 * 1000;

const bodyError = (message: string) => ProblemException.validation([{ field: 'body', message }]);

/** A slot takes bytes once; any PUT after the first complete one (or during it) is refused. */
const slotUsed = (status: UploadStatus) =>
  ProblemException.conflict(
    status === 'receiving'
      ? 'Bytes are already being uploaded to this slot.'
      : status === 'committed'
        ? 'This upload is already committed; its bytes cannot change. Request a new one.'
        : 'This slot already holds its bytes; commit it, or request a new one to upload others.',
  );

@Injectable()
export class ArtifactsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Artifacts');
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectRepository(ArtifactUploadEntity)
    private readonly uploads: Repository<ArtifactUploadEntity>,
    @InjectRepository(PostArtifactEntity)
    private readonly artifacts: Repository<PostArtifactEntity>,
    private readonly posts: PostsService,
    private readonly storage: ArtifactStorage,
    private readonly verifiers: WebhookVerifierRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // The upload URL is a capability: its secret, checked here by the access guard, authorises
    // the PUT, so a workspace agent can upload with a plain HTTP client and no token.
    this.verifiers.register(UPLOAD_URL_VERIFIER, (req) => this.uploadUrlIsValid(req));
    this.posts.onDelete((tx, postIds) => this.bytesOfDeletedPosts(tx, postIds));
    this.sweeper = setInterval(() => {
      this.cleanupExpired()
        .then(() => this.reconcileFiles())
        .catch((err: unknown) => this.logger.warn({ err }, 'upload cleanup failed'));
    }, SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  async createUpload(
    postId: string,
    userId: string,
    input: CreateUploadDto,
  ): Promise<UploadSlotDto> {
    const post = await this.posts.ownEntity(postId, userId);
    const limit = ARTIFACT_TYPES[input.contentType as ArtifactType].maxBytes;
    if (input.size > limit) {
      throw ProblemException.validation([
        { field: 'size', message: `must be at most ${limit} bytes for ${input.contentType}` },
      ]);
    }
    const secret = randomBytes(32).toString('base64url');
    const upload = await this.uploads.save(
      this.uploads.create({
        postId: post.id,
        authorId: userId,
        filename: input.filename,
        contentType: input.contentType,
        declaredSize: input.size,
        secretHash: digestSecret(this.config.tokenPepper, `upload:${secret}`),
        status: 'pending',
        sha256: null,
        expiresAt: new Date(Date.now() + UPLOAD_TTL_MS),
      }),
    );
    return {
      uploadId: upload.id,
      uploadUrl: `${this.config.publicBaseUrl}/api/artifact-uploads/${upload.id}/${secret}`,
      method: 'PUT',
      expiresAt: upload.expiresAt.toISOString(),
    };
  }

  /**
   * Streams the bytes to storage, counting, hashing and sniffing them on the way. A slot takes
   * bytes once: the PUT first claims it (pending → receiving), so a second or concurrent PUT, or
   * one after commit, is refused and can never touch stored bytes. A body refused or cut off
   * midway stores nothing (storage publishes only a complete, checked write) and frees the slot.
   */
  async receive(uploadId: string, req: Request): Promise<UploadReceivedDto> {
    const upload = await this.uploads.findOneBy({ id: uploadId });
    if (!upload)
      throw ProblemException.conflict('This upload no longer exists; request a new one.');
    if (upload.status !== 'pending') throw slotUsed(upload.status);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== upload.contentType) {
      throw ProblemException.validation([
        { field: 'Content-Type', message: `must be ${upload.contentType}, as declared` },
      ]);
    }
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) !== upload.declaredSize) {
      throw bodyError(
        `must be exactly ${upload.declaredSize} bytes, as declared (Content-Length is ${length})`,
      );
    }
    const claimed = await this.uploads.update(
      { id: upload.id, status: 'pending' },
      { status: 'receiving' },
    );
    if (!claimed.affected) {
      const now = await this.uploads.findOneBy({ id: upload.id });
      if (!now) throw ProblemException.conflict('This upload no longer exists; request a new one.');
      throw slotUsed(now.status);
    }
    const hash = createHash('sha256');
    let received = 0;
    let head = Buffer.alloc(0);
    const declared = upload.declaredSize;
    const sniff = ARTIFACT_TYPES[upload.contentType as ArtifactType].sniff;
    const check = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > declared)
          return done(bodyError(`is larger than the declared ${declared} bytes`));
        if (head.length < SNIFF_BYTES)
          head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        hash.update(chunk);
        done(null, chunk);
      },
      // Runs before the storage publishes the bytes: wrong bytes are never stored under the key.
      flush(done) {
        if (received !== declared)
          return done(
            bodyError(`must be exactly ${declared} bytes, as declared (got ${received})`),
          );
        if (!sniff(head)) return done(bodyError(`does not look like ${upload.contentType}`));
        done();
      },
    });
    try {
      await this.storage.store(upload.id, req, check);
    } catch (error) {
      await this.uploads.update({ id: upload.id, status: 'receiving' }, { status: 'pending' });
      if (error instanceof ProblemException) throw error;
      throw bodyError('could not be read completely');
    }
    const sha256 = hash.digest('hex');
    const stored = await this.uploads.update(
      { id: upload.id, status: 'receiving' },
      { status: 'uploaded', sha256 },
    );
    if (!stored.affected) {
      // The slot went away while the bytes arrived (it expired, or its post was deleted).
      await this.storage.remove(upload.id);
      throw ProblemException.conflict('This upload no longer exists; request a new one.');
    }
    return { uploadId: upload.id, size: received, sha256, status: 'uploaded' };
  }

  /**
   * Replaces the post's artifact in one transaction; the previous bytes are removed afterwards.
   * The post's row is locked first, so commits to one post (and its deletion) take turns: each
   * sees the artifact the one before it left.
   */
  async commit(postId: string, uploadId: string, userId: string): Promise<ArtifactDto> {
    const post = await this.posts.ownEntity(postId, userId);
    const { artifact, replacedKey } = await this.uploads.manager.transaction(async (tx) => {
      const locked = await tx
        .getRepository(PostEntity)
        .createQueryBuilder('p')
        .select('p.id')
        .setLock('pessimistic_write')
        .where('p.id = :postId', { postId: post.id })
        .getOne();
      if (!locked) throw ProblemException.notFound('No such post.');
      const upload = await tx
        .getRepository(ArtifactUploadEntity)
        .createQueryBuilder('u')
        .setLock('pessimistic_write')
        .where('u.id = :uploadId AND u.post_id = :postId', { uploadId, postId: post.id })
        .getOne();
      if (!upload) throw ProblemException.notFound('No such upload for this post.');
      if (upload.status === 'committed')
        throw ProblemException.conflict('This upload is already committed.');
      if (upload.expiresAt.getTime() <= Date.now())
        throw ProblemException.conflict('This upload has expired; request a new one.');
      if (upload.status !== 'uploaded' || !upload.sha256) {
        throw ProblemException.conflict(
          'Nothing has been uploaded to this slot yet; PUT the bytes to its uploadUrl first.',
        );
      }
      const previous = await tx.getRepository(PostArtifactEntity).findOneBy({ postId: post.id });
      const next = tx.getRepository(PostArtifactEntity).create({
        postId: post.id,
        uploadId: upload.id,
        filename: upload.filename,
        contentType: upload.contentType,
        size: upload.declaredSize,
        sha256: upload.sha256,
        storageKey: upload.id,
        committedAt: new Date(),
      });
      await tx.getRepository(PostArtifactEntity).save(next);
      await tx.update(ArtifactUploadEntity, upload.id, { status: 'committed' });
      return { artifact: next, replacedKey: previous?.storageKey };
    });
    if (replacedKey && replacedKey !== artifact.storageKey) await this.storage.remove(replacedKey);
    return this.view(artifact);
  }

  async get(postId: string, viewerId: string): Promise<ArtifactDto> {
    return this.view(await this.visibleArtifact(postId, viewerId));
  }

  async open(postId: string, viewerId: string) {
    const artifact = await this.visibleArtifact(postId, viewerId);
    return { artifact, stream: this.storage.reader(artifact.storageKey) };
  }

  /** Removes uploads that expired before being committed, with their bytes. */
  async cleanupExpired(now = new Date()): Promise<number> {
    // One statement: PostgreSQL re-checks `status` on a row a commit holds locked, so an upload
    // committed while the sweep runs is skipped instead of losing its bytes.
    const [expired] = await this.uploads.query<[{ id: string }[], number]>(
      `DELETE FROM artifact_uploads WHERE expires_at < $1 AND status <> 'committed' RETURNING id`,
      [now],
    );
    for (const { id } of expired) await this.storage.remove(id);
    return expired.length;
  }

  /**
   * Removes files no row accounts for: bytes whose post was deleted while they were being
   * written, or whose removal failed. A stored object is kept while an upload or artifact row
   * names it (rows are written before their bytes); a temporary file is left to its writer until
   * it has not changed for PARTIAL_ABANDONED_MS.
   */
  async reconcileFiles(now = new Date()): Promise<number> {
    const files = await this.storage.list();
    const keys = files.flatMap((f) => (f.key ? [f.key] : []));
    const known = new Set<string>();
    if (keys.length > 0) {
      const rows: { key: string }[] = await this.uploads.query(
        `SELECT id::text AS key FROM artifact_uploads WHERE id = ANY($1::uuid[])
         UNION SELECT storage_key FROM post_artifacts WHERE storage_key = ANY($1::text[])`,
        [keys],
      );
      for (const { key } of rows) known.add(key);
    }
    let removed = 0;
    for (const file of files) {
      // Old enough to be nobody's work in progress, and (for a stored object) named by no row.
      // The age guard also protects the bytes from an instance started on the wrong database.
      const stale = now.getTime() - file.modifiedAt.getTime() > PARTIAL_ABANDONED_MS;
      const orphan = stale && (!file.key || !known.has(file.key));
      if (!orphan) continue;
      await this.storage.removeListed(file);
      removed++;
    }
    return removed;
  }

  /**
   * Told inside a post deletion's transaction which posts go, it reads the keys their rows name
   * (the rows cascade away) and returns the removal to run once the deletion has committed.
   */
  private async bytesOfDeletedPosts(tx: EntityManager, postIds: string[]) {
    const rows: { key: string }[] = await tx.query(
      `SELECT id::text AS key FROM artifact_uploads WHERE post_id = ANY($1::uuid[])
       UNION SELECT storage_key FROM post_artifacts WHERE post_id = ANY($1::uuid[])`,
      [postIds],
    );
    return async () => {
      // The deletion has committed: a file that cannot be removed now is the sweeper's to
      // reconcile, not a reason to answer the deletion with an error.
      for (const { key } of rows)
        await this.storage
          .remove(key)
          .catch((err: unknown) => this.logger.warn({ err, key }, 'artifact bytes not removed'));
    };
  }

  private async visibleArtifact(postId: string, viewerId: string): Promise<PostArtifactEntity> {
    // A priced post's artifact is part of what its buyers bought.
    const post = await this.posts.readableEntity(postId, viewerId);
    const artifact = await this.artifacts.findOneBy({ postId: post.id });
    if (!artifact) throw ProblemException.notFound('This post has no artifact.');
    return artifact;
  }

  private async uploadUrlIsValid(req: Request): Promise<boolean> {
    const { uploadId, secret } = req.params as { uploadId?: string; secret?: string };
    if (
      !uploadId ||
      !secret ||
      !/^[0-9a-f-]{36}$/.test(uploadId) ||
      !/^[A-Za-z0-9_-]{43}$/.test(secret)
    )
      return false;
    const upload = await this.uploads
      .createQueryBuilder('u')
      .addSelect('u.secretHash')
      .where('u.id = :uploadId', { uploadId })
      .getOne();
    if (!upload || upload.expiresAt.getTime() <= Date.now()) return false;
    return constantTimeEqual(
      digestSecret(this.config.tokenPepper, `upload:${secret}`),
      upload.secretHash,
    );
  }

  private view(a: PostArtifactEntity): ArtifactDto {
    return {
      postId: a.postId,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256,
      committedAt: a.committedAt.toISOString(),
      downloadUrl: `${this.config.publicBaseUrl}/api/posts/${a.postId}/artifact/content`,
    };
  }
}
