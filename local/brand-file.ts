import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type BrandSettings, brandProblems, brandSchema } from '../functions/domain/brand';
import { readCheckedJson } from './json-file';

/**
 * Reads and validates the local stack's brand file (the same shape as the CDK prop `brand`); a bad
 * file, a low-contrast colour pair or a missing logo stops `npm start` naming the field and the fix.
 * The logo's path is relative to the file.
 */
export function readBrandFile(path: string): BrandSettings {
  const brand = brandSchema.parse(readCheckedJson(path, 'brand file', brandProblems));
  if (!brand.logo) return brand;
  const logo = resolve(dirname(path), brand.logo);
  try {
    statSync(logo);
  } catch {
    throw new Error(`brand file ${path}: brand.logo ${logo}: no such file`);
  }
  return { ...brand, logo };
}
