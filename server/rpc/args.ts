// Reading option structs and arrays from decoded arguments: unknown keys are refused with
// 2801 as Spacewalk does, and member types are checked rather than trusted.
import type { XmlRpcStruct, XmlRpcValue } from '../xmlrpc/types.js';
import { fault, invalidArgs } from './faults.js';

export function checkKeys(s: XmlRpcStruct, allowed: readonly string[]): void {
  const unknown = Object.keys(s).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw invalidArgs(unknown);
}

function badType(key: string, expected: string): never {
  throw fault(1213, `Invalid parameter: '${key}' must be ${expected}`);
}

export function optString(s: XmlRpcStruct, key: string): string | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return badType(key, 'a string');
}

export function optInt(s: XmlRpcStruct, key: string): number | undefined {
  const v = s[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return badType(key, 'an integer');
}

export function optBool(s: XmlRpcStruct, key: string): boolean | undefined {
  const v = s[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return ['1', 'y', 'true'].includes(v.trim().toLowerCase());
  return badType(key, 'a boolean');
}

export function optDate(s: XmlRpcStruct, key: string): Date | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (v instanceof Date) return v;
  return undefined;
}

export function optStruct(s: XmlRpcStruct, key: string): XmlRpcStruct | undefined {
  const v = s[key];
  if (v === undefined || v === '') return undefined;
  if (isStruct(v)) return v;
  return badType(key, 'a struct');
}

export function isStruct(v: XmlRpcValue | undefined): v is XmlRpcStruct {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
}

export function intArray(v: XmlRpcValue, what: string): number[] {
  if (!Array.isArray(v)) throw fault(1213, `Invalid parameter: ${what} must be an array of integers`);
  return v.map((x) => {
    if (typeof x === 'number' && Number.isInteger(x)) return x;
    if (typeof x === 'string' && /^-?\d+$/.test(x.trim())) return Number(x.trim());
    throw fault(1213, `Invalid parameter: ${what} must be an array of integers`);
  });
}

export function stringArray(v: XmlRpcValue | undefined, what: string): string[] {
  if (v === undefined || v === '') return [];
  if (!Array.isArray(v)) throw fault(1213, `Invalid parameter: ${what} must be an array of strings`);
  return v.map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return String(x);
    throw fault(1213, `Invalid parameter: ${what} must be an array of strings`);
  });
}

export function structArray(v: XmlRpcValue | undefined, what: string): XmlRpcStruct[] {
  if (v === undefined || v === '') return [];
  if (!Array.isArray(v) || !v.every(isStruct)) throw fault(1213, `Invalid parameter: ${what} must be an array of structs`);
  return v as XmlRpcStruct[];
}
