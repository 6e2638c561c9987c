import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { PostEntity } from '../posts/post.entity.js';

/** pending → receiving (one PUT writing) → uploaded → committed; a refused PUT frees the slot. */
export type UploadStatus = 'pending' | 'receiving' | 'uploaded' | 'committed';

/** A slot for replacing a post's artifact: request it, PUT the bytes to its URL, then commit. */
@Entity({ name: 'artifact_uploads' })
@Index(['expiresAt'])
export class ArtifactUploadEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'post_id', type: 'uuid' })
  postId!: string;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  @Column({ type: 'text' })
  filename!: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  @Column({
    name: 'declared_size',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  declaredSize!: number;

  /** HMAC of the secret in the upload URL; the URL itself is the credential for the PUT. */
  @Column({ name: 'secret_hash', type: 'text', select: false })
  secretHash!: string;

  @Column({ type: 'text' })
  status!: UploadStatus;

  @Column({ type: 'text', nullable: true })
  sha256!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The committed artifact of a post (at most one). */
@Entity({ name: 'post_artifacts' })
export class PostArtifactEntity {
  @PrimaryColumn({ name: 'post_id', type: 'uuid' })
  postId!: string;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity;

  @Column({ name: 'upload_id', type: 'uuid' })
  uploadId!: string;

  @Column({ type: 'text' })
  filename!: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size!: number;

  @Column({ type: 'text' })
  sha256!: string;

  @Column({ name: 'storage_key', type: 'text' })
  storageKey!: string;

  @Column({ name: 'committed_at', type: 'timestamptz' })
  committedAt!: Date;
}
