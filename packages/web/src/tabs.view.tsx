/**
 * An accessible tab strip (WAI-ARIA tabs pattern): one tab in the Tab order, arrow keys / Home /
 * End move between tabs and activate them, panels are labelled by their tab.
 */
import { useRef, type KeyboardEvent } from 'react';

export interface TabSpec {
  id: string;
  label: string;
  /** Marks the tab (e.g. unsaved changes); `dotLabel` is read to screen readers. */
  dot?: boolean;
  dotLabel?: string;
}

interface Props {
  tabs: TabSpec[];
  active: string;
  onChange(id: string): void;
  label: string;
  idPrefix: string;
  className?: string;
}

export const tabId = (prefix: string, id: string) => `${prefix}-tab-${id}`;
export const panelId = (prefix: string, id: string) => `${prefix}-panel-${id}`;

export function Tabs({ tabs, active, onChange, label, idPrefix, className }: Props) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    onChange(tabs[next].id);
    refs.current[next]?.focus();
  };
  return (
    <div className={`tabs ${className ?? ''}`} role="tablist" aria-label={label}>
      {tabs.map((tab, i) => (
        <button
          key={tab.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={tabId(idPrefix, tab.id)}
          aria-selected={tab.id === active}
          aria-controls={panelId(idPrefix, tab.id)}
          tabIndex={tab.id === active ? 0 : -1}
          className={`tab${tab.id === active ? ' active' : ''}`}
          onClick={() => onChange(tab.id)}
          onKeyDown={(e) => onKey(e, i)}
          data-dirty={tab.dot ? 'true' : undefined}
        >
          {tab.label}
          {tab.dot && (
            <span className="dot" title={tab.dotLabel} aria-label={tab.dotLabel} role="img">
              ●
            </span>
          )}
        </button>
      ))}
    </div>
  );
}
