/**
 * The page with what OCR found drawn over it: text-line boxes and table/cell boxes in an SVG whose
 * viewBox is the page's pixel size, laid exactly over the image, so the drawing scales with the
 * image at any width. Coordinates are those of the upright page (`/image?page=N`); an older server
 * without that route gets the raw upload, which matches whenever the photo needed no rotation.
 */
import { useMemo, useState } from 'react';
import { urls } from './api.client.ts';
import type { OcrDocument, Page } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';

interface Shapes {
  lines: string[];
  tables: [number, number, number, number][];
  cells: [number, number, number, number][];
}

function shapesOf(page: Page): Shapes {
  const out: Shapes = { lines: [], tables: [], cells: [] };
  const poly = (l: { polygon: [number, number][]; bbox: [number, number, number, number] }) =>
    (l.polygon.length >= 3 ? l.polygon : [[l.bbox[0], l.bbox[1]], [l.bbox[2], l.bbox[1]], [l.bbox[2], l.bbox[3]], [l.bbox[0], l.bbox[3]]]).map((p) => p.join(',')).join(' ');
  for (const b of page.blocks) {
    if (b.type === 'table') {
      out.tables.push(b.bbox);
      for (const c of b.table.cells) {
        if (c.bbox) out.cells.push(c.bbox);
        for (const l of c.lines) out.lines.push(poly(l));
      }
    } else {
      for (const l of b.lines) out.lines.push(poly(l));
    }
  }
  return out;
}

export function OverlayView({ taskId, doc }: { taskId: string; doc: OcrDocument }) {
  const { t } = useI18n();
  const [pageIndex, setPageIndex] = useState(0);
  const [showLines, setShowLines] = useState(true);
  const [showTables, setShowTables] = useState(true);
  const [fallback, setFallback] = useState(false);
  const [broken, setBroken] = useState(false);
  const page = doc.pages[pageIndex] ?? doc.pages[0];
  const shapes = useMemo(() => (page ? shapesOf(page) : null), [page]);
  if (!page || !shapes) return null;
  const src = fallback ? urls.image(taskId) : urls.image(taskId, page.index);
  const stroke = Math.max(1.5, page.width / 600);

  return (
    <section className="panel overlay" aria-labelledby="overlay-title">
      <div className="overlay-head">
        <h2 id="overlay-title">{t('overlay.title')}</h2>
        <div className="toggles">
          <label>
            <input type="checkbox" checked={showLines} onChange={(e) => setShowLines(e.target.checked)} data-testid="toggle-lines" /> {t('overlay.lines')}
          </label>
          <label>
            <input type="checkbox" checked={showTables} onChange={(e) => setShowTables(e.target.checked)} data-testid="toggle-tables" /> {t('overlay.tables')}
          </label>
          {doc.pages.length > 1 && (
            <select value={pageIndex} onChange={(e) => setPageIndex(Number(e.target.value))} aria-label="page">
              {doc.pages.map((p, i) => (
                <option key={p.index} value={i}>{`${i + 1} / ${doc.pages.length}`}</option>
              ))}
            </select>
          )}
        </div>
      </div>
      {broken ? (
        <p className="message error">{t('overlay.noImage')}</p>
      ) : (
        <div className="overlay-stage">
          <img
            src={src}
            alt={doc.meta.filename ?? ''}
            onError={() => (fallback || page.index > 0 ? setBroken(true) : setFallback(true))}
            data-testid="page-image"
          />
          <svg viewBox={`0 0 ${page.width} ${page.height}`} preserveAspectRatio="none" aria-hidden="true" data-testid="overlay-svg">
            {showTables && (
              <g className="ov-tables" strokeWidth={stroke}>
                {shapes.cells.map((b, i) => (
                  <rect key={`c${i}`} className="ov-cell" x={b[0]} y={b[1]} width={b[2] - b[0]} height={b[3] - b[1]} />
                ))}
                {shapes.tables.map((b, i) => (
                  <rect key={`t${i}`} className="ov-table" x={b[0]} y={b[1]} width={b[2] - b[0]} height={b[3] - b[1]} strokeWidth={stroke * 2} />
                ))}
              </g>
            )}
            {showLines && (
              <g className="ov-lines" strokeWidth={stroke}>
                {shapes.lines.map((p, i) => (
                  <polygon key={i} points={p} />
                ))}
              </g>
            )}
          </svg>
        </div>
      )}
    </section>
  );
}
