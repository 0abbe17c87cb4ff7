/** The values heard in the call, as chips beside the form's fields (never written without a click). */
import { Suggestion, type SuggestionState } from '../../../components/Suggestion.js';
import { type IntakeProposals, quoteContext } from '../../../intake.js';
import type { IntakeQuote } from '../../../types.js';
import type { IntakeDraft } from '../hooks/useIntakeDraft.js';

const digits = (s: string) => s.replace(/\D/g, '');
const trimmed = (s: string) => s.trim();

/** How a heard value stands to what the field holds: empty, something else, or the same. */
function suggestionState(current: string | undefined, value: string, norm: (s: string) => string = trimmed): SuggestionState {
  if (!current?.trim()) return 'empty';
  return norm(current) === norm(value) ? 'same' : 'differs';
}

export type Chips = ReturnType<typeof intakeChips>;

export function intakeChips(
  heardIn: IntakeProposals | null,
  draft: IntakeDraft,
  showQuote: (key: string, start: number, end: number) => void,
) {
  const heard = heardIn?.proposal;
  const { values, applySuggestion } = draft;
  const quoteOf = (q: IntakeQuote) => {
    const seg = heardIn?.segments[q.segment];
    return { quote: quoteContext(seg?.text, q), segmentText: seg?.text };
  };
  const onQuote = (q: IntakeQuote) => () => {
    const key = typeof q.segmentId === 'string' ? q.segmentId : heardIn?.segments[q.segment]?.key;
    if (key) showQuote(key, q.start, q.end);
  };
  return {
    phone: heard?.phone && (
      <Suggestion
        id="phone"
        value={heard.phone.value}
        state={suggestionState(values.phone, heard.phone.value, digits)}
        {...quoteOf(heard.phone.from)}
        onQuote={onQuote(heard.phone.from)}
        onApply={() => applySuggestion('callerPhone', heard.phone!.value)}
      />
    ),
    name: heard?.name && (
      <Suggestion
        id="name"
        value={heard.name.value.display}
        state={suggestionState(values.name, heard.name.value.display)}
        {...quoteOf(heard.name.from)}
        onQuote={onQuote(heard.name.from)}
        onApply={() => applySuggestion('callerName', heard.name!.value.display)}
      />
    ),
    address: heard?.address && (
      <Suggestion
        id="address"
        value={heard.address.value}
        note={heard.address.place ? `（${heard.address.place.name}）` : undefined}
        state={suggestionState(values.address, heard.address.value)}
        {...quoteOf(heard.address.from)}
        onQuote={onQuote(heard.address.from)}
        onApply={() => applySuggestion('address', heard.address!.value)}
      />
    ),
    anonymous: heard?.anonymous && (
      <Suggestion
        id="anonymous"
        value="匿名"
        state={values.anonymous ? 'same' : 'empty'}
        {...quoteOf(heard.anonymous.from)}
        onQuote={onQuote(heard.anonymous.from)}
        onApply={() => applySuggestion('anonymous', true)}
      />
    ),
    // The work-order API has no request type (dispatch/schemas.ts CreateBody): text only.
    requestType: heard?.requestType && (
      <Suggestion
        id="request-type"
        value={heard.requestType.value}
        state="empty"
        {...quoteOf(heard.requestType.from)}
        onQuote={onQuote(heard.requestType.from)}
      />
    ),
  };
}
