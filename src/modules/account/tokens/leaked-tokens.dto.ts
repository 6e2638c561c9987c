import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { NonBlankString } from '../../../common/index.js';

export const MAX_REPORTED_TOKENS = 1000;
/** Longer than any token (46 characters); anything longer cannot be one and is refused early. */
const MAX_CANDIDATE_LENGTH = 200;

export class ReportLeakedTokensDto {
  @ApiProperty({
    type: String,
    isArray: true,
    minItems: 1,
    maxItems: MAX_REPORTED_TOKENS,
    example: ['gpx_pat_4Fh2…'],
    description:
      'Raw token candidates found exposed, 1 to 1,000 per call. Candidates whose checksum fails are counted and never looked up.',
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'send at least one token' })
  @ArrayMaxSize(MAX_REPORTED_TOKENS, {
    message: `send at most ${MAX_REPORTED_TOKENS} tokens per call`,
  })
  @IsString({ each: true, message: 'each token must be a string' })
  @MaxLength(MAX_CANDIDATE_LENGTH, {
    each: true,
    message: `each token must be at most ${MAX_CANDIDATE_LENGTH} characters`,
  })
  tokens!: string[];

  @ApiPropertyOptional({
    example: 'https://github.com/example/repo/blob/main/.env',
    maxLength: 500,
    description:
      'Where the tokens were found (a URL or a short description). Passed on to the owners in their notice, marked as unverified.',
  })
  @IsOptional()
  @NonBlankString(500)
  source?: string;
}

/**
 * Counts only: never which candidates matched, so the answer for a real token and for a made-up
 * one with a valid checksum is the same.
 */
export class LeakReportReceiptDto {
  @ApiProperty({ example: 3, description: 'Candidates in the request.' })
  received!: number;

  @ApiProperty({
    example: 2,
    description: 'Candidates with a well-formed gpx_pat_ shape and checksum (looked up).',
  })
  checksumValid!: number;

  @ApiProperty({
    example: 1,
    description: 'Candidates that are not GetPaidX tokens (bad shape or checksum; not looked up).',
  })
  checksumInvalid!: number;
}
