/**
 * The request flags of `socialync api`, read the way `gh api` reads them:
 * -f key=value is a string; -F key=value is typed (integers, true, false, null; @file reads the
 * value from a file, @- from standard input); `key[]=v` appends to an array and `key[sub]=v`
 * nests an object; -H 'Name: value' adds a header.
 */
import { UsageError } from '../core/errors.js';

export type FieldValue = string | number | boolean | null | FieldValue[] | { [k: string]: FieldValue };
export type Fields = Record<string, FieldValue>;

/** Reads "@file" values: a path, or "-" for standard input. */
export type ReadValue = (path: string) => Promise<string>;

export async function parseFields(raw: string[] = [], typed: string[] = [], read: ReadValue): Promise<Fields> {
  const out: Fields = {};
  for (const f of raw) place(out, splitField(f, '-f'), undefined);
  for (const f of typed) {
    const field = splitField(f, '-F');
    place(out, field, await typedValue(field.value, read));
  }
  return out;
}

/**
 * gh's -F typing: integers (that fit a JavaScript number exactly: a 19-digit id stays a string),
 * true, false, null, @file; anything else is a string.
 */
export async function typedValue(v: string, read: ReadValue): Promise<FieldValue> {
  if (v.startsWith('@')) return read(v.slice(1));
  if (/^[+-]?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null') return null;
  return v;
}

interface Field {
  keys: string[];
  value: string;
  text: string;
}

/** "a[b][]=v" -> keys ["a", "b", ""], value "v" ("" = append to an array). */
function splitField(f: string, flag: string): Field {
  const eq = f.indexOf('=');
  if (eq < 0) throw new UsageError(`${flag} ${f}: a field needs key=value`, `e.g. ${flag} text=hello`);
  const key = f.slice(0, eq);
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m) throw new UsageError(`${flag} ${f}: "${key}" is not a valid key`, 'use name, name[] (array) or name[sub] (object)');
  const keys = [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)];
  return { keys, value: f.slice(eq + 1), text: f };
}

function place(out: Fields, field: Field, typed: FieldValue | undefined): void {
  const value = typed === undefined ? field.value : typed;
  let target: Fields = out;
  const keys = field.keys;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const nextIsArray = keys[i + 1] === '';
    if (nextIsArray) {
      if (i + 1 !== keys.length - 1) throw new UsageError(`${field.text}: arrays of objects are not supported`, 'pass a JSON body with --input');
      const arr = (target[k] ??= []);
      if (!Array.isArray(arr)) throw new UsageError(`${field.text}: "${k}" is already a value, not an array`);
      arr.push(value);
      return;
    }
    const obj = (target[k] ??= {});
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new UsageError(`${field.text}: "${k}" is already a value, not an object`);
    target = obj;
  }
  const last = keys[keys.length - 1]!;
  if (last in target) throw new UsageError(`${field.text}: "${last}" is given twice`, 'use name[]=value for a list');
  target[last] = value;
}

/** -H 'Name: value' -> { name: value } (names lower-cased, as HTTP treats them). */
export function parseHeaders(list: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    const name = i > 0 ? h.slice(0, i).trim() : '';
    if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`-H ${h}: a header needs "Name: value"`, "e.g. -H 'Accept: application/json'");
    if (name.toLowerCase() === 'authorization') throw new UsageError('-H Authorization: socialync adds the connection\'s token itself', 'pick the connection with --account');
    out[name.toLowerCase()] = h.slice(i + 1).trim();
  }
  return out;
}

/** Fields as a query string, the way gh sends them with GET (arrays as key[]=, objects as key[sub]=). */
export function addQuery(url: URL, fields: Fields): void {
  const add = (key: string, v: FieldValue) => {
    if (Array.isArray(v)) for (const x of v) add(`${key}[]`, x);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) add(`${key}[${k}]`, x);
    else url.searchParams.append(key, v === null ? '' : String(v));
  };
  for (const [k, v] of Object.entries(fields)) add(k, v);
}
