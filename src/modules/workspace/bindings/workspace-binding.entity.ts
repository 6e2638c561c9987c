import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { PostEntity } from '../../content/index.js';

export const BINDING_KINDS = ['VALUE', 'TOKEN'] as const;
export type BindingKind = (typeof BINDING_KINDS)[number];

/**
 * A named secret or setting bound to a post's workspace. A VALUE binding's value is sealed with
 * SecretBox (AES-256-GCM, context `workspace-binding:<postId>:<name>`) and never selected by
 * default; a TOKEN binding names one of the owner's PATs (a reference, not a secret).
 */
@Entity({ name: 'workspace_bindings' })
@Unique(['postId', 'name'])
export class WorkspaceBindingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'post_id', type: 'uuid' })
  postId!: string;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: BindingKind;

  @Column({ name: 'sealed_value', type: 'text', nullable: true, select: false })
  sealedValue?: string | null;

  @Column({ name: 'token_id', type: 'uuid', nullable: true })
  tokenId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
