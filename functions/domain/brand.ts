// The operator's brand on the pages and emails: colours checked against WCAG 2.2 AA before anything
// runs (at synth, at local start, at cold start), so a brand can never make the pages unreadable.

import * as z from 'zod';
import { LANGUAGES, overrideProblems } from '../../web/i18n/languages';

/** A colour as CSS and the config files write it: `#rgb` or `#rrggbb`. */
export const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3}){1,2}$/;

/** The page background every brand colour is read against (web/styles.css `--paper`). */
export const PAPER = '#ffffff';

/** The product's own colours, used when the operator sets none. */
export const DEFAULT_COLOURS = { primary: '#0b5cad', accent: '#1d6b35' } as const;

export interface BrandColours {
  /** Buttons (white text on it), links and focus rings (on white). */
  readonly primary: string;
  /** The band above each page and the headings' underline (on white). */
  readonly accent: string;
}

const channels = (hex: string): [number, number, number] => {
  const digits = hex.slice(1);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits;
  return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16) / 255) as [number, number, number];
};

/** WCAG 2.x relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Normal text needs 4.5:1 (WCAG 1.4.3); both brand colours carry text (button labels, links, headings). */
export const AA_TEXT = 4.5;

/**
 * Each brand colour pair below WCAG AA, named with its ratio: `primaryColour #7fb3ff on #ffffff
 * has contrast 2.1:1; WCAG AA needs 4.5:1 for text`. Empty when the brand is readable.
 */
export function brandColourProblems(
  colours: Partial<BrandColours>,
  names = { primary: 'primaryColour', accent: 'accentColour' },
): string[] {
  const problems: string[] = [];
  for (const role of ['primary', 'accent'] as const) {
    const colour = colours[role];
    if (colour === undefined) continue;
    if (!HEX_COLOUR.test(colour)) {
      problems.push(`${names[role]} must be a colour like #0b5cad (got "${colour}")`);
      continue;
    }
    const ratio = contrastRatio(colour, PAPER);
    if (ratio < AA_TEXT) {
      problems.push(
        `${names[role]} ${colour} on ${PAPER} has contrast ${ratio.toFixed(2)}:1; WCAG AA needs ${AA_TEXT}:1 for text (${role === 'primary' ? 'button labels and links' : 'headings'}): pick a darker colour`,
      );
    }
  }
  return problems;
}

/** The stylesheet that puts the brand on the pages: CSS custom properties web/styles.css reads. */
export function brandStyleSheet(colours: Partial<BrandColours>): string {
  const primary = colours.primary ?? DEFAULT_COLOURS.primary;
  const accent = colours.accent ?? DEFAULT_COLOURS.accent;
  return `:root{--primary:${primary};--accent:${accent}}\n`;
}

/**
 * The brand as operators write it (local config file, deploy config `brand`, construct prop
 * `brand`): every field optional, colours checked for contrast, messages checked against the catalogs.
 */
export const brandSchema = z
  .strictObject({
    /** The product's name on every page and email, and in authenticator apps. */
    productName: z.string().trim().min(1).max(64).optional(),
    /** An SVG or PNG file, shown on every page and email. */
    logo: z
      .string()
      .regex(/\.(svg|png)$/i, 'must be an .svg or .png file')
      .optional(),
    primaryColour: z.string().regex(HEX_COLOUR, 'must be a colour like #0b5cad').optional(),
    accentColour: z.string().regex(HEX_COLOUR, 'must be a colour like #1d6b35').optional(),
    supportUrl: z.string().url().optional(),
    supportContactEmail: z.string().email().optional(),
    /** The name emails come from. @default - the product name */
    fromName: z.string().trim().min(1).max(64).optional(),
    defaultLanguage: z.enum(LANGUAGES).optional(),
    /** The operator's wording of any message, by language and key. */
    messages: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  })
  .superRefine((brand, context) => {
    for (const problem of brandColourProblems({
      ...(brand.primaryColour ? { primary: brand.primaryColour } : {}),
      ...(brand.accentColour ? { accent: brand.accentColour } : {}),
    })) {
      context.addIssue({ code: 'custom', message: problem });
    }
    if (brand.messages) {
      for (const problem of overrideProblems(brand.messages))
        context.addIssue({ code: 'custom', message: problem });
    }
  });

export type BrandSettings = z.infer<typeof brandSchema>;

/** Every problem of a brand, as one line each (`primaryColour #7fb3ff on #ffffff has contrast ...`). */
export function brandProblems(brand: unknown): string[] {
  const parsed = brandSchema.safeParse(brand);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) =>
    issue.path.length > 0 ? `brand.${issue.path.join('.')}: ${issue.message}` : `brand: ${issue.message}`,
  );
}

/**
 * The functions' environment for a brand (functions/shared/config.ts reads it back). `logoFile` is
 * where the function finds the logo: in AWS inside its bundle, locally the operator's path.
 */
export function brandEnvironment(brand: BrandSettings, logoFile?: string): Record<string, string> {
  const colours = {
    ...(brand.primaryColour ? { primary: brand.primaryColour } : {}),
    ...(brand.accentColour ? { accent: brand.accentColour } : {}),
  };
  return {
    ...(Object.keys(colours).length > 0 ? { BRAND_COLOURS: JSON.stringify(colours) } : {}),
    ...(brand.messages ? { MESSAGE_OVERRIDES: JSON.stringify(brand.messages) } : {}),
    ...(brand.defaultLanguage ? { DEFAULT_LANGUAGE: brand.defaultLanguage } : {}),
    ...(brand.productName ? { PRODUCT_NAME: brand.productName } : {}),
    ...(brand.fromName ? { FROM_NAME: brand.fromName } : {}),
    ...(brand.supportUrl ? { SUPPORT_URL: brand.supportUrl } : {}),
    ...(brand.supportContactEmail ? { SUPPORT_CONTACT_EMAIL: brand.supportContactEmail } : {}),
    ...(logoFile ? { BRAND_LOGO_FILE: logoFile } : {}),
  };
}
