import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { addQuery, parseFields, parseHeaders, typedValue } from './api-fields.js';

const files: Record<string, string> = { 'post.txt': 'text from a file\n', '-': 'from stdin' };
const read = async (p: string) => {
  if (!(p in files)) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT', path: p });
  return files[p]!;
};

describe('-F typing (as gh api)', () => {
  it.each([
    ['42', 42],
    ['-7', -7],
    ['+3', 3],
    ['0', 0],
    ['true', true],
    ['false', false],
    ['null', null],
    ['9007199254740991', 9007199254740991],
    // Larger than a JavaScript number holds exactly (X ids): kept as text, never rounded.
    ['1460323737035677698', '1460323737035677698'],
    ['4.5', '4.5'],
    ['1e3', '1e3'],
    ['True', 'True'],
    ['', ''],
    ['42 ', '42 '],
  ])('%j -> %j', async (v, want) => {
    expect(await typedValue(v, read)).toStrictEqual(want);
  });

  it('@file reads the file as text, @- standard input; a missing file is the file error', async () => {
    expect(await typedValue('@post.txt', read)).toBe('text from a file\n');
    expect(await typedValue('@-', read)).toBe('from stdin');
    await expect(typedValue('@nope.txt', read)).rejects.toMatchObject({ code: 'ENOENT', path: 'nope.txt' });
  });

  it('-f keeps every value a string, "@" and numbers included', async () => {
    expect(await parseFields(['n=42', 'b=true', 'f=@post.txt', 'e=', 'eq=a=b'], [], read)).toStrictEqual({ n: '42', b: 'true', f: '@post.txt', e: '', eq: 'a=b' });
  });
});

describe('field keys', () => {
  it('key[]=v appends to a list, key[sub]=v nests, both may mix -f and -F', async () => {
    const f = await parseFields(['tags[]=a', 'distribution[feedDistribution]=MAIN_FEED', 'tags[]=b'], ['max[count]=5', 'ids[]=1', 'ids[]=2'], read);
    expect(f).toStrictEqual({ tags: ['a', 'b'], distribution: { feedDistribution: 'MAIN_FEED' }, max: { count: 5 }, ids: [1, 2] });
  });

  it('refuses a field without "=", a key given twice, a value then an object, and bad keys', async () => {
    await expect(parseFields(['text'], [], read)).rejects.toThrow(/needs key=value/);
    await expect(parseFields(['a=1', 'a=2'], [], read)).rejects.toThrow(/given twice/);
    await expect(parseFields(['a=1', 'a[b]=2'], [], read)).rejects.toThrow(/already a value/);
    await expect(parseFields(['=1'], [], read)).rejects.toBeInstanceOf(UsageError);
    await expect(parseFields(['a]=1'], [], read)).rejects.toBeInstanceOf(UsageError);
    await expect(parseFields(['a[][b]=1'], [], read)).rejects.toThrow(/arrays of objects/);
  });
});

describe('-H and the query string', () => {
  it('parses "Name: value" (value may contain colons), lower-cases the name', () => {
    expect(parseHeaders(['X-RestLi-Method: FINDER', 'Accept:application/json', 'X-Time: 12:30'])).toStrictEqual({ 'x-restli-method': 'FINDER', accept: 'application/json', 'x-time': '12:30' });
  });

  it('refuses a header without a name, and Authorization (the connection token is added by socialync)', () => {
    expect(() => parseHeaders(['no colon'])).toThrow(UsageError);
    expect(() => parseHeaders([': v'])).toThrow(UsageError);
    expect(() => parseHeaders(['Bad Name: v'])).toThrow(UsageError);
    expect(() => parseHeaders(['authorization: Bearer abc'])).toThrow(/adds the connection's token/);
  });

  it('GET fields go to the query: lists as key[]=, objects as key[sub]=, null as empty', () => {
    const u = new URL('https://api.x.com/2/users/1/tweets?existing=1');
    addQuery(u, { max_results: 5, 'tweet.fields': 'text,created_at', ids: ['1', '2'], o: { a: true }, n: null });
    expect([...u.searchParams]).toEqual([
      ['existing', '1'],
      ['max_results', '5'],
      ['tweet.fields', 'text,created_at'],
      ['ids[]', '1'],
      ['ids[]', '2'],
      ['o[a]', 'true'],
      ['n', ''],
    ]);
  });
});
