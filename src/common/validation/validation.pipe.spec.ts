import type { ArgumentMetadata } from '@nestjs/common';
import { PageQueryDto } from '../pagination/pagination.js';
import { ProblemException } from '../problems/index.js';
import { createValidationPipe } from './validation.pipe.js';

const asQuery: ArgumentMetadata = { type: 'query', metatype: PageQueryDto };

describe('the validation pipe on query strings', () => {
  it('validates a repeated query once and hands out independent copies', async () => {
    const pipe = createValidationPipe();
    const first = (await pipe.transform({ limit: '5' }, asQuery)) as PageQueryDto;
    expect(first).toBeInstanceOf(PageQueryDto);
    expect(first.limit).toBe(5);
    first.limit = 99; // a handler mutating its query must not change what the next caller gets
    const second = (await pipe.transform({ limit: '5' }, asQuery)) as PageQueryDto;
    expect(second).toBeInstanceOf(PageQueryDto);
    expect(second.limit).toBe(5);
    expect(second).not.toBe(first);
  });

  it('never remembers a failure, and a remembered query does not let a different one through', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({ limit: '5' }, asQuery);
    for (const bad of [{ limit: '0' }, { limit: '0' }, { limit: '5', extra: 'x' }]) {
      const error = await pipe.transform(bad, asQuery).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemException);
    }
    const problem = (await pipe
      .transform({ limit: '500' }, asQuery)
      .catch((e: unknown) => e)) as ProblemException;
    expect(problem.extensions.errors).toEqual([
      { field: 'limit', message: 'must not be greater than 100' },
    ]);
  });

  it('leaves bodies alone: the same body is validated on every call', async () => {
    const pipe = createValidationPipe();
    const asBody: ArgumentMetadata = { type: 'body', metatype: PageQueryDto };
    const a = await pipe.transform({ limit: 5 }, asBody);
    const b = await pipe.transform({ limit: 5 }, asBody);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });

  it('answers 400 naming the field for an object that cannot become a number (a 500 the fuzz found)', async () => {
    const pipe = createValidationPipe();
    const asBody: ArgumentMetadata = { type: 'body', metatype: PageQueryDto };
    // Neither member callable: converting it to a primitive throws a TypeError.
    for (const hostile of [{ toString: [], valueOf: {} }, { toString: [] }]) {
      const problem = (await pipe
        .transform({ limit: hostile }, asBody)
        .catch((e: unknown) => e)) as ProblemException;
      expect(problem).toBeInstanceOf(ProblemException);
      expect(problem.getStatus()).toBe(400);
      expect(problem.extensions.errors).toEqual([
        { field: 'limit', message: 'must be a value of the documented type' },
      ]);
    }
  });
});
