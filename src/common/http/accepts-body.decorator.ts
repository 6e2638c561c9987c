import { SetMetadata } from '@nestjs/common';

export const ACCEPTED_BODY_TYPES = 'gpx:acceptedBodyTypes';

/** Content types a route takes for its body; routes without it take JSON only. */
export const AcceptsBody = (...contentTypes: string[]) =>
  SetMetadata(ACCEPTED_BODY_TYPES, contentTypes);
