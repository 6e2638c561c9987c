import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Matches, Min } from 'class-validator';
import { NonBlankString, OneOf } from '../../../common/index.js';
import { ARTIFACT_TYPE_NAMES, describeLimits, MAX_ARTIFACT_BYTES } from './artifact-types.js';

export class CreateUploadDto {
  @ApiProperty({ example: 'poster.png', maxLength: 200 })
  @NonBlankString(200)
  @Matches(/^[^/\\]+$/, { message: 'must be a file name, not a path' })
  // Control characters (NUL, newlines, …), invisible format characters (bidi overrides such as
  // U+202E that disguise an extension) and line separators have no place in a file name.
  @Matches(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, {
    message: 'must not contain control or invisible formatting characters',
  })
  filename!: string;

  @ApiProperty({
    enum: ARTIFACT_TYPE_NAMES,
    example: 'image/png',
    description: `Size limits: ${describeLimits()}.`,
  })
  @OneOf(ARTIFACT_TYPE_NAMES, { message: `must be one of: ${ARTIFACT_TYPE_NAMES.join(', ')}` })
  contentType!: string;

  @ApiProperty({
    minimum: 1,
    maximum: MAX_ARTIFACT_BYTES,
    example: 48213,
    description: `Exact byte count of the file. Limits: ${describeLimits()}.`,
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  size!: number;
}

export class UploadSlotDto {
  @ApiProperty({ format: 'uuid' }) uploadId!: string;
  @ApiProperty({
    format: 'uri',
    description:
      'PUT the raw bytes here with the declared Content-Type; the URL itself authorises the upload.',
  })
  uploadUrl!: string;
  @ApiProperty({ example: 'PUT' }) method!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class UploadReceivedDto {
  @ApiProperty({ format: 'uuid' }) uploadId!: string;
  @ApiProperty({ example: 48213 }) size!: number;
  @ApiProperty({ example: 'e3b0c442…' }) sha256!: string;
  @ApiProperty({ example: 'uploaded' }) status!: string;
}

export class ArtifactDto {
  @ApiProperty({ format: 'uuid' }) postId!: string;
  @ApiProperty({ example: 'poster.png' }) filename!: string;
  @ApiProperty({ example: 'image/png' }) contentType!: string;
  @ApiProperty({ example: 48213 }) size!: number;
  @ApiProperty() sha256!: string;
  @ApiProperty({ format: 'date-time' }) committedAt!: string;
  @ApiProperty({ format: 'uri', description: 'GET it with the same credentials (posts:read).' })
  downloadUrl!: string;
}
