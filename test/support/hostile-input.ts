import fc from 'fast-check';
import type { CatalogEndpoint } from '../../src/catalog/catalog.types.js';

/**
 * fast-check arbitraries for hostile requests, built from a catalog endpoint: its path template,
 * query parameter names, body fields and example. Bodies are produced as JSON *text*, so they can
 * hold what a JavaScript object cannot round-trip: `__proto__` keys, numbers past float range
 * (`1e400`), duplicated keys, lone surrogates, invalid JSON.
 */

/** One request the fuzzer sends. */
export interface HostileRequest {
  /** Path with parameters filled in, and the query string. */
  url: string;
  /** Raw body text or bytes, with the content type it is sent as; none for a bodiless request. */
  body?: { contentType: string; data: string | Buffer };
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\u202Eevil',
  '\uFEFF',
  'e\u0301\u0301\u0301',
  '💥🏳️‍🌈',
  '../../../etc/passwd',
  '%00',
  '%',
  '%zz',
  '..',
  '.',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '${7*7}',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '-0',
  '9'.repeat(400),
  'true',
  '[]',
  '{}',
  ...PROTOTYPE_KEYS,
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '00000000-0000-0000-0000-00000000000g',
  '2026-02-30T25:61:61Z',
  'eyJpZCI6IjEiLCJ0IjoiMjAyNi0wMS0wMSJ9', // base64 JSON: a cursor-shaped guess
  'eyJ0IjoxZTQwMCwiaWQiOiJ4In0', // {"t":1e400,"id":"x"}
  'W3sidCI6bnVsbH1d',
  '!!!!',
];

const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  '-0',
  '0.0000000000000000000000001',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '1.5',
  '-1',
];

/** A string a client might send to break something. `known` are real ids/codes from the database. */
export function hostileString(
  known: readonly string[] = [],
  /** Longest string: a URL stays under Node's 16 KiB header limit, a body may pass the 1 MiB one. */
  longest = 4_000,
): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.uuid(),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.base64String({ maxLength: 60 }),
    fc.integer({ min: 1, max: longest }).map((n) => 'x'.repeat(n)),
    fc.integer().map(String),
  ];
  if (known.length) options.push(fc.constantFrom(...known), fc.constantFrom(...known));
  return fc.oneof(...options);
}

const jsonString = (s: string) => JSON.stringify(s);

/** JSON text of a hostile value: any type, prototype keys, big numbers, nesting. */
export function hostileJson(
  fieldNames: readonly string[],
  known: readonly string[],
): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...(fieldNames.length ? fieldNames : ['name'])),
    fc.constantFrom(...PROTOTYPE_KEYS),
    hostileString(),
  );
  const scalar = fc.oneof(
    hostileString(known, 1_200_000).map(jsonString),
    fc
      .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
      .map((n) => JSON.stringify(n)),
    fc.constantFrom(...RAW_NUMBERS),
    fc.constantFrom('true', 'false', 'null'),
  );
  const { value } = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
      fc
        .array(fc.tuple(key, tie('value')), { maxLength: 4 })
        .map((entries) => `{${entries.map(([k, v]) => `${jsonString(k)}:${v}`).join(',')}}`),
    ),
  }));
  return value;
}

/** `{"a":{"a":…}}` or `[[[…]]]` nested `depth` levels. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 20, max: 5_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

const BROKEN_JSON = [
  '{',
  '{"a":',
  '{"a":1}}',
  "{'a':1}",
  '\u0000',
  '{"a":1,}',
  'nul',
  '',
  '{"a":"\\ud800"}',
  '"\\u0000"',
];

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD, as a browser would). */
export function encodeComponent(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((b) =>
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x5f
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A path segment: mostly encoded, sometimes raw broken escapes that stay valid in an HTTP request line. */
function pathSegment(known: readonly string[]): fc.Arbitrary<string> {
  // Real ids often enough to get past "not found" into the handler's own checks.
  const real = known.length
    ? [{ weight: 4, arbitrary: fc.constantFrom(...known).map(encodeComponent) }]
    : [];
  return fc.oneof(
    ...real,
    {
      weight: 6,
      arbitrary: hostileString(known).map((s) => (s === '' ? '%20' : encodeComponent(s))),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%00',
        '%C0%AF',
        '%ED%A0%80',
        '..',
        '%2e%2e',
        'a%2Fb',
        ';x=1',
      ),
    },
  );
}

function queryString(e: CatalogEndpoint, known: readonly string[]): fc.Arbitrary<string> {
  const names = e.request.query.map((q) => q.name);
  // Mostly the endpoint's own parameters (unknown ones are refused at once, which tests little).
  const name = fc.oneof(
    ...(names.length ? [{ weight: 8, arbitrary: fc.constantFrom(...names) }] : []),
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, 'limit', 'cursor', 'a[b]', 'a[]') },
    { weight: 1, arbitrary: hostileString() },
  );
  const pair = fc
    .tuple(
      name,
      fc.oneof(
        hostileString(known),
        fc.constantFrom(...RAW_NUMBERS, '1', '20', '100', 'new', 'top'),
      ),
    )
    .map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`);
  return fc
    .array(pair, { maxLength: 3 })
    .map((pairs) => (pairs.length ? `?${pairs.join('&')}` : ''));
}

/** The catalog's example body with some fields replaced, removed or joined by unknown ones. */
function mutatedExample(e: CatalogEndpoint, known: readonly string[]): fc.Arbitrary<string> {
  const example = (e.request.body?.example ?? {}) as Record<string, unknown>;
  const fields = [
    ...new Set([...Object.keys(example), ...(e.request.body?.fields ?? []).map((f) => f.name)]),
  ];
  const entries = Object.entries(example).map(
    ([k, v]) => [k, JSON.stringify(v)] as [string, string],
  );
  return fc
    .record({
      replace: fc.dictionary(
        fc.constantFrom(...(fields.length ? fields : ['name'])),
        hostileJson(fields, known),
        {
          maxKeys: 2,
        },
      ),
      drop: fc.subarray(fields, { maxLength: 1 }),
      extra: fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), hostileString()),
          hostileJson(fields, known),
        ),
        {
          maxLength: 1,
        },
      ),
    })
    .map(({ replace, drop, extra }) => {
      const out = new Map(entries.filter(([k]) => !drop.includes(k)));
      for (const [k, v] of Object.entries(replace)) out.set(k, v);
      const all = [...out.entries(), ...extra];
      return `{${all.map(([k, v]) => `${jsonString(k)}:${v}`).join(',')}}`;
    });
}

function body(e: CatalogEndpoint, known: readonly string[]): fc.Arbitrary<HostileRequest['body']> {
  const declared = e.request.body;
  const fields = declared?.fields.map((f) => f.name) ?? [];
  const json = (data: fc.Arbitrary<string>) =>
    data.map((text) => ({ contentType: 'application/json', data: text }));
  const bodies: fc.WeightedArbitrary<HostileRequest['body']>[] = [
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: json(hostileJson(fields, known)) },
    { weight: 1, arbitrary: json(deeplyNested) },
    { weight: 1, arbitrary: json(fc.constantFrom(...BROKEN_JSON)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=latin1',
            'application/merge-patch+json',
            'multipart/form-data; boundary=x',
          ),
          hostileJson(fields, known),
        )
        .map(([contentType, data]) => ({ contentType, data })),
    },
  ];
  if (declared && declared.contentType.includes('json') && (declared.example || fields.length))
    bodies.push({ weight: 5, arbitrary: json(mutatedExample(e, known)) });
  if (declared && !declared.contentType.includes('json')) {
    // Raw uploads: bytes under each accepted type.
    const types = declared.contentType.split(',').map((t) => t.trim());
    bodies.push({
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...types), fc.uint8Array({ maxLength: 4096 }))
        .map(([contentType, bytes]) => ({ contentType, data: Buffer.from(bytes) })),
    });
  }
  return fc.oneof(...bodies);
}

/** Hostile requests for one endpoint: its path parameters, query and (for methods with one) body. */
export function hostileRequests(
  e: CatalogEndpoint,
  known: readonly string[],
): fc.Arbitrary<HostileRequest> {
  const names = [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const takesBody = !['GET', 'HEAD', 'DELETE'].includes(e.method);
  return fc
    .record({
      params: fc.tuple(...names.map(() => pathSegment(known))),
      query: queryString(e, known),
      body: takesBody ? body(e, known) : fc.constant(undefined),
    })
    .map(({ params, query, body: sent }) => {
      let i = 0;
      const path = e.path.replace(/\{\w+\}/g, () => params[i++]);
      return { url: path + query, ...(sent ? { body: sent } : {}) };
    });
}
