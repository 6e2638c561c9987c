import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { asHashtag, Tags } from '../../../common/index.js';

/** A member tag after normalising (trim, strip a leading '#', lower-case). */
export const MEMBER_TAG = /^[a-z0-9-]{1,32}$/;
const MEMBER_TAG_MESSAGE = 'each tag must be 1–32 of a-z, 0-9 or - (after trimming, without #)';

/**
 * A list of member tags, normalised like hashtags and then checked. Member tags (set by the
 * creator) and post audience tags (chosen by the author) must follow one rule: a post reaches the
 * members holding one of its audience tags, so a tag one side accepts must be one the other can hold.
 */
export const MemberTagList = (maxItems: number) =>
  applyDecorators(
    Tags(asHashtag),
    IsArray(),
    ArrayMaxSize(maxItems),
    Matches(MEMBER_TAG, { each: true, message: MEMBER_TAG_MESSAGE }),
  );
