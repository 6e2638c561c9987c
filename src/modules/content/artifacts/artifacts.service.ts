import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request } from 'express';
import { In, LessThan, Not, type Repository } from 'typeorm';
import { digestSecret } from '../../../access/pat-format.js';
import { WebhookVerifierRegistry } from '../../../access/webhook-verifiers.js';
import { ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PostsService } from '../posts/posts.service.js';
import { ArtifactStorage } from './artifact-storage.js';
import { ARTIFACT_TYPES, type ArtifactType, SNIFF_BYTES } from './artifact-types.js';
import { ArtifactUploadEntity, PostArtifactEntity } from './artifact.entities.js';
import type {
  ArtifactDto,
  CreateUploadDto,
  UploadReceivedDto,
  UploadSlotDto,
} from './artifacts.dto.js';

export const UPLOAD_URL_VERIFIER = 'artifact-upload-url';
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 1000;

const bodyError = (message: string) => ProblemException.validation([{ field: 'body', message }]);

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
    this.sweeper = setInterval(() => {
      this.cleanupExpired().catch((err: unknown) =>
        this.logger.warn({ err }, 'upload cleanup failed'),
      );
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
   * Streams the bytes to storage, counting and hashing them; refuses a body whose length or
   * leading bytes do not match what was declared (nothing is kept then).
   */
  async receive(uploadId: string, req: Request): Promise<UploadReceivedDto> {
    const upload = await this.uploads.findOneBy({ id: uploadId });
    if (!upload || upload.status === 'committed')
      throw ProblemException.conflict('This upload is already committed; request a new one.');
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
    const hash = createHash('sha256');
    let received = 0;
    let head = Buffer.alloc(0);
    const declared = upload.declaredSize;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > declared)
          return done(bodyError(`is larger than the declared ${declared} bytes`));
        if (head.length < SNIFF_BYTES)
          head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(req, meter, this.storage.writer(upload.id));
      if (received !== declared)
        throw bodyError(`must be exactly ${declared} bytes, as declared (got ${received})`);
      if (!ARTIFACT_TYPES[upload.contentType as ArtifactType].sniff(head)) {
        throw bodyError(`does not look like ${upload.contentType}`);
      }
    } catch (error) {
      await this.storage.remove(upload.id);
      await this.uploads.update(upload.id, { status: 'pending', sha256: null });
      if (error instanceof ProblemException) throw error;
      throw bodyError('could not be read completely');
    }
    const sha256 = hash.digest('hex');
    await this.uploads.update(upload.id, { status: 'uploaded', sha256 });
    return { uploadId: upload.id, size: received, sha256, status: 'uploaded' };
  }

  /** Replaces the post's artifact in one transaction; the previous bytes are removed afterwards. */
  async commit(postId: string, uploadId: string, userId: string): Promise<ArtifactDto> {
    const post = await this.posts.ownEntity(postId, userId);
    const { artifact, replacedKey } = await this.uploads.manager.transaction(async (tx) => {
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
    const expired = await this.uploads.find({
      where: { expiresAt: LessThan(now), status: Not('committed') },
      select: { id: true },
    });
    if (expired.length === 0) return 0;
    for (const { id } of expired) await this.storage.remove(id);
    await this.uploads.delete({ id: In(expired.map((u) => u.id)) });
    return expired.length;
  }

  private async visibleArtifact(postId: string, viewerId: string): Promise<PostArtifactEntity> {
    const post = await this.posts.visibleEntity(postId, viewerId);
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
    const presented = Buffer.from(digestSecret(this.config.tokenPepper, `upload:${secret}`));
    const expected = Buffer.from(upload.secretHash);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
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
