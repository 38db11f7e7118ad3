/**
 * Language: the person's choice (localStorage) wins, else the browser's (`navigator.languages`),
 * else English. `t(key, vars)` fills `{name}` placeholders; `<html lang>` follows so screen readers
 * and fonts pick the right language.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { CATALOGUES, FIELD_LABELS, LANGS, type Lang, type MessageKey } from './i18n.messages.ts';

const STORAGE_KEY = 'ocrflow.lang';

export function detectLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored && (LANGS as readonly string[]).includes(stored)) return stored as Lang;
  for (const l of browser) {
    const base = l.toLowerCase().split('-')[0];
    if ((LANGS as readonly string[]).includes(base)) return base as Lang;
  }
  return 'en';
}

export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t: Translate;
  fieldLabel(name: string): string;
  /** Dates and times in the interface language. */
  when(iso: string): string;
}

const Ctx = createContext<I18n | null>(null);

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage can be disabled; the browser language still applies
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => detectLang(readStored(), navigator.languages ?? [navigator.language]));
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* not remembered, still switched */
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = CATALOGUES[lang]['app.title'];
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const cat = CATALOGUES[lang];
    const dtf = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
    return {
      lang,
      setLang,
      t: (key, vars) => format(cat[key], vars),
      fieldLabel: (name) => FIELD_LABELS[lang][name] ?? name.replace(/_/g, ' '),
      when: (iso) => {
        const d = new Date(iso);
        return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
      },
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
