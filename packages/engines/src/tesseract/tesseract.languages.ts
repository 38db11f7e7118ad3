/**
 * Language data for tesseract.js from the installed `@tesseract.js-data/<code>` npm packages, read
 * from node_modules (never from the network: tesseract.js would otherwise fetch from a CDN).
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** ocrflow language names (as in OCRFLOW_LANGUAGES) to tesseract codes. */
const ALIASES: Record<string, string> = {
  en: 'eng', eng: 'eng', english: 'eng',
  ch: 'chi_sim', zh: 'chi_sim', 'zh-cn': 'chi_sim', chi_sim: 'chi_sim', chinese: 'chi_sim',
  'zh-tw': 'chi_tra', chi_tra: 'chi_tra',
  de: 'deu', fr: 'fra', es: 'spa', it: 'ita', pt: 'por', ja: 'jpn', ko: 'kor', ru: 'rus',
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

export interface LoadedLanguage {
  code: string;
  data: Uint8Array;
}

/** Load the requested languages that are installed; report the missing ones. */
export function loadLanguages(langs: readonly string[]): { loaded: LoadedLanguage[]; missing: string[] } {
  const codes = [...new Set(langs.map(tesseractCode))];
  const loaded: LoadedLanguage[] = [];
  const missing: string[] = [];
  for (const code of codes) {
    const dir = languageDir(code);
    if (!dir) { missing.push(code); continue; }
    loaded.push({ code, data: readFileSync(path.join(dir, `${code}.traineddata.gz`)) });
  }
  return { loaded, missing };
}
