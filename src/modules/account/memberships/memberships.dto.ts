import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { asHashtag, PageQueryDto, Trimmed } from '../../../common/index.js';
import { MEMBER_TAG, MemberTagList } from './member-tags.js';

export const MAX_MEMBER_TAGS = 20;

export class MembershipDto {
  @ApiProperty({ format: 'uuid', example: '6f1d0c3e-2b7a-4c1e-9a55-0d3c9b1e2f47' })
  creatorId!: string;
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-28T10:00:00.000Z',
    description: 'When you joined.',
  })
  joinedAt!: string;
}

export class MembersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    maxLength: 100,
    example: 'ali',
    description:
      'Members whose display name or email starts with this (case-insensitive; % and _ match themselves).',
  })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({
    example: 'vip',
    description: 'Only members holding this tag (with or without #, any case).',
  })
  @IsOptional()
  @Trimmed(asHashtag)
  @Matches(MEMBER_TAG, { message: 'must be 1–32 of a-z, 0-9 or -' })
  tag?: string;
}

export class SetMemberTagsDto {
  @ApiProperty({
    type: [String],
    maxItems: MAX_MEMBER_TAGS,
    example: ['vip', '#Early-Backer'],
    description:
      "Replaces the member's tags. Normalised like hashtags: trimmed, without a leading #, lower-cased, once each; then 1–32 of a-z, 0-9 or -. An empty list removes them all.",
  })
  @MemberTagList(MAX_MEMBER_TAGS)
  tags!: string[];
}

export class MemberDto {
  @ApiProperty({ format: 'uuid', example: '6f1d0c3e-2b7a-4c1e-9a55-0d3c9b1e2f47' })
  memberId!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName!: string;
  @ApiProperty({
    format: 'email',
    example: 'ada@example.com',
    description:
      "The member's account email. Shown to the creator whose membership they joined: joining shares it.",
  })
  email!: string;
  @ApiProperty({ type: [String], example: ['vip'] }) tags!: string[];
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-28T10:00:00.000Z',
    description: 'When they joined.',
  })
  joinedAt!: string;
}

export class MemberPageDto {
  @ApiProperty({ type: [MemberDto] }) items!: MemberDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
