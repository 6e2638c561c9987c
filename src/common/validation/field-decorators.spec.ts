import { plainToInstance, Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength, validate } from 'class-validator';
import {
  asHashtag,
  NonBlankString,
  OneOf,
  Tags,
  toUpperCase,
  Trimmed,
} from './field-decorators.js';

/** The same field stacked by hand, as the DTOs did before the house decorators. */
class ByHand {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1, { message: 'must not be blank' })
  @MaxLength(5)
  @Matches(/^[a-z ]+$/)
  name!: string;
}

class WithHouseDecorators {
  @NonBlankString(5)
  @Matches(/^[a-z ]+$/)
  name!: string;
}

class Normalised {
  @Trimmed(toUpperCase) country!: string;
  @Trimmed(asHashtag) hashtag!: string;
  @Tags() audience!: string[];
  @Tags(asHashtag) hashtags!: string[];
  @OneOf(['a', 'b'] as const) letter!: string;
}

async function failures(type: new () => object, body: object) {
  const errors = await validate(plainToInstance(type, body));
  return errors.map((e) => [e.property, e.constraints]);
}

describe('house field decorators', () => {
  it.each([[{ name: '   ' }], [{ name: 42 }], [{ name: ' toolong ' }], [{ name: 'ABC' }], [{}]])(
    'NonBlankString reports what the hand-stacked decorators reported, in the same order: %j',
    async (body) => {
      const expected = await failures(ByHand, body);
      const actual = await failures(WithHouseDecorators, body);
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
    },
  );

  it('trims and normalises strings and tag lists, keeping each tag once', () => {
    const value = plainToInstance(Normalised, {
      country: ' de ',
      hashtag: ' #Launch ',
      audience: [' VIP', 'vip ', 'Crew'],
      hashtags: ['#Launch', 'launch', ' LAUNCH ', 'berlin'],
      letter: 'a',
    });
    expect(value).toEqual({
      country: 'DE',
      hashtag: 'launch',
      audience: ['vip', 'crew'],
      hashtags: ['launch', 'berlin'],
      letter: 'a',
    });
  });

  it('leaves non-strings for the validators to refuse, and OneOf keeps the default message', async () => {
    const value = plainToInstance(Normalised, {
      country: 7,
      hashtag: 'x',
      audience: 'not a list',
      hashtags: [1],
      letter: 'c',
    });
    expect(value.country).toBe(7);
    expect(value.audience).toBe('not a list');
    expect(value.hashtags).toEqual([1]);
    expect(await failures(Normalised, { letter: 'c' })).toEqual([
      ['letter', { isIn: 'letter must be one of the following values: a, b' }],
    ]);
  });
});
