/** Far beyond any body this API takes (its DTOs nest two or three levels). */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text nests arrays and objects deeper than `max`, found in one pass over the raw
 * bytes before anything parses them: JSON.parse copes with thousands of levels, but every walk
 * after it (class-transformer, validators, loggers) recurses and overflows the stack. Brackets
 * inside strings are text, so the scan tracks strings and escapes. In UTF-8 no byte of a
 * multi-byte character is below 0x80, so the ASCII bytes looked at are always real characters.
 * Malformed JSON is left to JSON.parse to report.
 */
export function exceedsJsonDepth(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** Thrown from the body parser's `verify` hook; the parser error middleware answers it. */
export class JsonTooDeepError extends Error {
  readonly type = 'entity.too.deep';
  readonly status = 400;
  constructor() {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

/** Thrown from `verify` for a JSON body in another charset than UTF-8 (RFC 8259 §8.1). */
export class JsonCharsetError extends Error {
  readonly type = 'charset.unsupported';
  readonly status = 415;
  constructor(readonly charset: string) {
    super(`JSON must be UTF-8, not ${charset}`);
  }
}

/**
 * Refuses a body nested too deep, before JSON.parse builds it. JSON is UTF-8 only: the scan must
 * read the same characters the parser will, and another decoder (UTF-16 without a byte-order
 * mark, say) could disagree with the parser's, so other charsets are refused outright.
 */
export function assertJsonDepth(bytes: Buffer, encoding: string): void {
  if (!/^utf-?8$/i.test(encoding)) throw new JsonCharsetError(encoding);
  if (exceedsJsonDepth(bytes)) throw new JsonTooDeepError();
}
