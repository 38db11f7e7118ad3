/**
 * The structure toolbar above the grid: rows and columns (insert/delete), and the fixes of a grid
 * that OCR got wrong — merge the selected cells, split a merged cell, move a cell's text, undo the
 * last structural step. Every button names its shortcut (`aria-keyshortcuts`, shown in the hint),
 * and a disabled button says by being disabled that the selection does not allow it.
 */
import { useI18n } from './i18n.context.tsx';
import type { MessageKey } from './i18n.messages.ts';

export interface ToolbarState {
  canDelRow: boolean;
  canDelCol: boolean;
  canMerge: boolean;
  canSplit: boolean;
  canPick: boolean;
  canPlace: boolean;
  moving: boolean;
  /** The step Undo would take back, if any. */
  undoStep: MessageKey | null;
}

export interface ToolbarActions {
  addRow(): void;
  addCol(): void;
  delRow(): void;
  delCol(): void;
  merge(): void;
  split(): void;
  pick(): void;
  place(): void;
  cancelMove(): void;
  undo(): void;
}

export function SheetToolbar({ state, on }: { state: ToolbarState; on: ToolbarActions }) {
  const { t } = useI18n();
  return (
    <div className="structure-bar" role="toolbar" aria-label={t('grid.structure')}>
      <button type="button" onClick={on.addRow} data-testid="add-row">
        + {t('grid.addRow')}
      </button>
      <button type="button" onClick={on.addCol} data-testid="add-col">
        + {t('grid.addCol')}
      </button>
      <button type="button" onClick={on.delRow} disabled={!state.canDelRow} data-testid="del-row">
        − {t('grid.delRow')}
      </button>
      <button type="button" onClick={on.delCol} disabled={!state.canDelCol} data-testid="del-col">
        − {t('grid.delCol')}
      </button>
      <span className="bar-gap" aria-hidden="true" />
      <button type="button" onClick={on.merge} disabled={!state.canMerge} aria-keyshortcuts="Alt+M" title="Alt+M" data-testid="merge-cells">
        {t('grid.merge')}
      </button>
      <button type="button" onClick={on.split} disabled={!state.canSplit} aria-keyshortcuts="Alt+S" title="Alt+S" data-testid="split-cell">
        {t('grid.split')}
      </button>
      {state.moving ? (
        <>
          <button
            type="button"
            className="primary"
            onClick={on.place}
            disabled={!state.canPlace}
            aria-keyshortcuts="Alt+V"
            title="Alt+V"
            data-testid="move-place"
          >
            {t('grid.moveHere')}
          </button>
          <button type="button" onClick={on.cancelMove} aria-keyshortcuts="Escape" data-testid="move-cancel">
            {t('grid.moveCancel')}
          </button>
        </>
      ) : (
        <button type="button" onClick={on.pick} disabled={!state.canPick} aria-keyshortcuts="Alt+X" title="Alt+X" data-testid="move-text">
          {t('grid.move')}
        </button>
      )}
      <button
        type="button"
        onClick={on.undo}
        disabled={!state.undoStep}
        aria-keyshortcuts="Alt+Z"
        title={state.undoStep ? `${t('grid.undoStep', { step: t(state.undoStep) })} (Alt+Z)` : t('grid.nothingToUndo')}
        data-testid="undo-structure"
      >
        ↶ {state.undoStep ? t('grid.undoStep', { step: t(state.undoStep) }) : t('grid.undo')}
      </button>
      <span className="muted hint">{t('grid.hint')}</span>
    </div>
  );
}
