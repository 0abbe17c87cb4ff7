/**
 * A value heard in the call, shown beside its form field: 建议：13858231743（来自“我电话是幺三八…”）
 * with 采用. Nothing is written into the form without the agent's click: an empty field gets a
 * placeholder-style chip, a field holding something else a chip whose 采用 replaces it, and a
 * field that already holds the value a quiet tick.
 */
import { Button, Tooltip } from 'antd';
import type { ReactNode } from 'react';

export type SuggestionState = 'empty' | 'differs' | 'same';

export function Suggestion(props: {
  /** Names the chip for tests: data-testid="suggest-<id>", its button "apply-<id>". */
  id: string;
  value: ReactNode;
  state: SuggestionState;
  /** The words around the quote, and the whole segment for the tooltip. */
  quote: string;
  segmentText?: string;
  /** Shown after the value, e.g. the community an address falls in. */
  note?: ReactNode;
  /** Absent when the form has no field for it (shown as text only). */
  onApply?: () => void;
  onQuote?: () => void;
}) {
  const { id, value, state, quote, segmentText, note, onApply, onQuote } = props;
  return (
    <div className={`suggestion suggestion-${onApply ? state : 'text'}`} data-testid={`suggest-${id}`} data-state={state}>
      <span className="suggestion-value">
        {state === 'same' && onApply ? '✓ ' : '建议：'}
        {value}
        {note}
      </span>
      <Tooltip title={segmentText ? `来电人说：${segmentText}` : undefined}>
        <button type="button" className="suggestion-quote" onClick={onQuote} data-testid={`quote-${id}`}>
          （来自“{quote}”）
        </button>
      </Tooltip>
      {onApply && state !== 'same' && (
        <Button
          size="small"
          type={state === 'empty' ? 'primary' : 'default'}
          ghost={state === 'empty'}
          onClick={onApply}
          data-testid={`apply-${id}`}
          title={state === 'differs' ? '用建议值替换已填写的内容' : '填入此字段'}
        >
          采用
        </Button>
      )}
    </div>
  );
}
