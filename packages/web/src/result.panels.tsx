/** The recognised text, its Markdown, and the analysis's key facts. */
import { useEffect, useState } from 'react';
import { api, ApiError } from './api.client.ts';
import type { Analysis, TextData } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';
import type { MessageKey } from './i18n.messages.ts';

export function TextPanel({ taskId, kind }: { taskId: string; kind: 'text' | 'markdown' }) {
  const { t } = useI18n();
  const [data, setData] = useState<TextData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.text(taskId).then(setData, (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [taskId]);
  if (error) return <p className="message error">{t('error.generic', { message: error })}</p>;
  if (!data) return <p className="muted">{t('error.loading')}</p>;
  const body = kind === 'text' ? data.text : data.markdown;
  if (!body.trim()) return <p className="muted">{t('text.empty')}</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable output must be reachable by keyboard to scroll it (WCAG 2.1.1)
    <pre className="text-output" tabIndex={0} data-testid={`${kind}-output`}>
      {body}
    </pre>
  );
}

interface Field {
  value?: unknown;
  normalized?: unknown;
  currency?: unknown;
}

function show(f: unknown): string {
  if (f === null || f === undefined) return '';
  if (typeof f !== 'object') return String(f);
  const x = f as Field;
  const v = x.value === undefined ? '' : String(x.value);
  const cur = typeof x.currency === 'string' && x.currency ? ` ${x.currency}` : '';
  const norm = typeof x.normalized === 'string' && x.normalized && x.normalized !== v ? ` (${x.normalized})` : '';
  return `${v}${cur}${norm}`;
}

export function AnalysisPanel({ taskId }: { taskId: string }) {
  const { t, fieldLabel } = useI18n();
  const [data, setData] = useState<Analysis | null>(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    api.analysis(taskId).then(setData, () => setMissing(true));
  }, [taskId]);

  const fields = data?.fields && !Array.isArray(data.fields) ? Object.entries(data.fields).filter(([k, v]) => k !== 'parties' && show(v) !== '') : [];
  const mismatches = Array.isArray(data?.tables)
    ? (data.tables as { mismatches?: unknown[] }[]).reduce((n, tb) => n + (Array.isArray(tb.mismatches) ? tb.mismatches.length : 0), 0)
    : 0;
  const kind = typeof data?.kind === 'string' ? data.kind : null;
  const kindKey = kind && ['receipt', 'invoice', 'report', 'form', 'other'].includes(kind) ? (`analysis.kind.${kind}` as MessageKey) : null;

  return (
    <aside className="panel analysis" aria-labelledby="analysis-title" data-testid="analysis-panel">
      <h2 id="analysis-title">{t('analysis.title')}</h2>
      {missing && <p className="muted">{t('analysis.notReady')}</p>}
      {!missing && !data && <p className="muted">{t('error.loading')}</p>}
      {data && (
        <dl className="facts">
          {kind && (
            <>
              <dt>{t('analysis.kind')}</dt>
              <dd>{kindKey ? t(kindKey) : kind}</dd>
            </>
          )}
          {fields.map(([k, v]) => (
            <div key={k} className="fact">
              <dt>{fieldLabel(k)}</dt>
              <dd>{show(v)}</dd>
            </div>
          ))}
          {!kind && fields.length === 0 && <p className="muted">{t('analysis.none')}</p>}
        </dl>
      )}
      {mismatches > 0 && <p className="message info">{t('analysis.mismatches', { n: mismatches })}</p>}
    </aside>
  );
}
