import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { UserEntity } from '../../account/index.js';
import { ReferralPathEntity } from '../referral-paths/referral-path.entity.js';
import type { QrArtStyle } from './qr-art-provider.js';

export const QR_STYLES = ['classic', 'ai'] as const;
export type QrStyle = (typeof QR_STYLES)[number];

/** A QR code generation: the URL it encodes and its rendered images. */
@Entity({ name: 'qr_codes' })
@Index(['ownerId', 'createdAt'])
// Deleting a referral path cascades to its generations.
@Index(['referralPathId'])
// The public gallery: visible generations, newest first.
@Index('qr_codes_gallery_idx', ['createdAt', 'id'], { where: 'hidden = false' })
export class QrCodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: UserEntity;

  /** Set when the code encodes a referral path's /go/ URL; the generation goes with the path. */
  @Column({ name: 'referral_path_id', type: 'uuid', nullable: true })
  referralPathId!: string | null;

  @ManyToOne(() => ReferralPathEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_path_id' })
  referralPath?: ReferralPathEntity | null;

  /** The absolute URL the code encodes (always on PUBLIC_BASE_URL). */
  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text' })
  style!: QrStyle;

  @Column({ name: 'art_style', type: 'text', nullable: true })
  artStyle!: QrArtStyle | null;

  @Column({ type: 'text', nullable: true })
  prompt!: string | null;

  /** Hidden generations stay out of the public gallery and their images are the owner's only. */
  @Column({ type: 'boolean', default: false })
  hidden!: boolean;

  /** The images are a few kilobytes each; read only by the image routes. */
  @Column({ type: 'bytea', select: false })
  png?: Buffer;

  @Column({ type: 'text', nullable: true, select: false })
  svg?: string | null;

  /** Whether `svg` is set, so lists can link the SVG without reading it. */
  @Column({ name: 'has_svg', type: 'boolean' })
  hasSvg!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
