/**
 * Language data for tesseract.js from the installed `@tesseract.js-data/<code>` npm packages, read
 * from node_modules (never from the network: tesseract.js would otherwise fetch from a CDN).
 */
import { existsSync, mkdirSync, symlinkSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';

/** ocrflow language names (as in OCRFLOW_LANGUAGES) to tesseract codes. */
const ALIASES: Record<string, string> = {
  en: 'eng',
  eng: 'eng',
  english: 'eng',
  ch: 'chi_sim',
  zh: 'chi_sim',
  'zh-cn': 'chi_sim',
  chi_sim: 'chi_sim',
  chinese: 'chi_sim',
  'zh-tw': 'chi_tra',
  chi_tra: 'chi_tra',
  de: 'deu',
  fr: 'fra',
  es: 'spa',
  it: 'ita',
  pt: 'por',
  ja: 'jpn',
  ko: 'kor',
  ru: 'rus',
};

export function tesseractCode(lang: string): string {
  const l = lang.trim().toLowerCase();
  return ALIASES[l] ?? l;
}

const require = createRequire(import.meta.url);

/** Directory with `<code>.traineddata.gz` for the LSTM model, or null when the package is not installed. */
export function languageDir(code: string): string | null {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve(`@tesseract.js-data/${code}/package.json`));
  } catch {
    return null;
  }
  // The integerised "best" LSTM model: as accurate as "best", several times faster than it.
  for (const sub of ['4.0.0_best_int', '4.0.0']) {
    const dir = path.join(pkgDir, sub);
    if (existsSync(path.join(dir, `${code}.traineddata.gz`))) return dir;
  }
  return null;
}

/**
 * tesseract.js reads every language from one `langPath`, but each language ships in its own npm
 * package. A directory of symbolic links (one per language, in the OS temp dir) gives it one path
 * without copying the data.
 */
export function prepareLanguages(langs: readonly string[]): { langPath: string; codes: string[]; missing: string[] } {
  const codes: string[] = [];
  const missing: string[] = [];
  const dir = path.join(os.tmpdir(), `ocrflow-tessdata-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true });
  for (const code of [...new Set(langs.map(tesseractCode))]) {
    const src = languageDir(code);
    if (!src) {
      missing.push(code);
      continue;
    }
    const target = path.join(src, `${code}.traineddata.gz`);
    const link = path.join(dir, `${code}.traineddata.gz`);
    let current: string | null = null;
    try {
      current = readlinkSync(link);
    } catch {
      /* absent */
    }
    if (current !== target) {
      rmSync(link, { force: true });
      try {
        symlinkSync(target, link);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    codes.push(code);
  }
  return { langPath: dir, codes, missing };
}
