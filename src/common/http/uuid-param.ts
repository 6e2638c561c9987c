import { ParseUUIDPipe } from '@nestjs/common';
import { ProblemException } from '../problems/index.js';

/** A path id that is not a UUID names nothing: 404 `not_found`, like an unknown id. */
export const uuidParam = (what: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => ProblemException.notFound(`No such ${what}.`) });
