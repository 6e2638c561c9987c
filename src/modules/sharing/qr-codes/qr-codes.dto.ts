import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { NonBlankString, OneOf } from '../../../common/index.js';
import { QR_ART_STYLES, type QrArtStyle } from './qr-art-provider.js';
import { QR_STYLES, type QrStyle } from './qr-code.entity.js';

/** A QR code holds at most a few hundred characters comfortably; longer URLs scan badly. */
export const MAX_QR_URL_LENGTH = 1000;

/** Exactly one of `url` or `referralPathId`. */
export class QrTargetDto {
  @ApiPropertyOptional({
    example: 'https://getpaidx.example/posts/6f1c…',
    maxLength: MAX_QR_URL_LENGTH,
    description:
      'An absolute http(s) URL on this server’s public origin (PUBLIC_BASE_URL): a code made here never sends people elsewhere. Not with `referralPathId`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_QR_URL_LENGTH)
  url?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'One of your referral paths: the code encodes its /go/{code} URL. Not with `url`.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'must be the id of one of your referral paths' })
  referralPathId?: string;
}

export class CreateQrCodeDto {
  @ApiProperty({
    type: QrTargetDto,
    example: { referralPathId: '0e3b5c1a-6f0e-4c3e-9a57-2f1d8c0b7e44' },
  })
  @IsDefined()
  @ValidateNested()
  @Type(() => QrTargetDto)
  target!: QrTargetDto;

  @ApiProperty({
    enum: QR_STYLES,
    example: 'classic',
    description:
      '`classic`: a plain black-on-white code, rendered at once. `ai`: an AI-styled code from the configured art provider (503 `qr_art_unavailable` when none is).',
  })
  @OneOf(QR_STYLES)
  style!: QrStyle;

  @ApiPropertyOptional({
    enum: QR_ART_STYLES,
    example: 'watercolor',
    description: 'Required with style `ai`, refused with `classic`. `custom` needs a `prompt`.',
  })
  @IsOptional()
  @OneOf(QR_ART_STYLES)
  artStyle?: QrArtStyle;

  @ApiPropertyOptional({
    example: 'cherry blossoms over a night market',
    maxLength: 500,
    description:
      'What the art should show. Required with artStyle `custom`, optional with the other art styles, refused with style `classic`.',
  })
  @IsOptional()
  @NonBlankString(500)
  prompt?: string;
}

export class UpdateQrCodeDto {
  @ApiProperty({
    example: true,
    description: 'true hides the code from the public gallery (its images become yours only).',
  })
  @IsBoolean()
  hidden!: boolean;
}

/** A generation as the public gallery shows it: no owner, no prompt. */
export class GalleryQrCodeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'https://getpaidx.example/go/spring-launch' }) url!: string;
  @ApiProperty({ enum: QR_STYLES, example: 'classic' }) style!: QrStyle;
  @ApiProperty({ enum: QR_ART_STYLES, nullable: true, example: null })
  artStyle!: QrArtStyle | null;
  @ApiProperty({ example: 'https://getpaidx.example/api/sharing/qr-codes/0e3b…/image.png' })
  pngUrl!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'https://getpaidx.example/api/sharing/qr-codes/0e3b…/image.svg',
    description: 'Null when the generation has no SVG (an AI provider may return PNG only).',
  })
  svgUrl!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class QrCodeDto extends GalleryQrCodeDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) referralPathId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) prompt!: string | null;
  @ApiProperty({ example: false, description: 'Hidden from the public gallery.' })
  hidden!: boolean;
}

export class QrCodePageDto {
  @ApiProperty({ type: [QrCodeDto] }) items!: QrCodeDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class GalleryPageDto {
  @ApiProperty({ type: [GalleryQrCodeDto] }) items!: GalleryQrCodeDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
