/**
 * 话务员: phone state, the ringing call, the live transcript, the intake form prefilled from
 * the transcript and the classifier, the caller's earlier cases, the knowledge base, and the
 * emergency transfer. Shortcuts: F2 answer, F4 hang up, Ctrl+Enter submit.
 *
 * One hook per concern (hooks/), one component per panel (components/), the requests in
 * service.ts and the shapes in types.ts; this file wires them together.
 */
import { Alert, App, Col, Row, Space } from 'antd';
import { useCallback, useRef } from 'react';
import { useUser } from '../../App.js';
import { ClassifyCard } from '../../components/ClassifyCard.js';
import { useCatalogue } from '../../hooks.js';
import { useIntakeProposals } from '../../intake.js';
import { CallerHistory } from './components/CallerHistory.js';
import { EmergencyAlert } from './components/EmergencyAlert.js';
import { IntakeForm } from './components/IntakeForm.js';
import { intakeChips } from './components/IntakeSuggestions.js';
import { KnowledgePanel } from './components/KnowledgePanel.js';
import { PhoneBar } from './components/PhoneBar.js';
import { RingingAlert } from './components/RingingAlert.js';
import { TranscriptPanel } from './components/TranscriptPanel.js';
import { useAgentState } from './hooks/useAgentState.js';
import { useClassification } from './hooks/useClassification.js';
import { useEmergency } from './hooks/useEmergency.js';
import { useIntakeDraft } from './hooks/useIntakeDraft.js';
import { useLiveCall } from './hooks/useLiveCall.js';
import { useCallerHistory, useKnowledge } from './hooks/useLookups.js';
import { useOffer } from './hooks/useOffer.js';
import { useShortcuts } from './hooks/useShortcuts.js';
import { useSubmit } from './hooks/useSubmit.js';
import { answerCall } from './service.js';
import type { CallDetail } from './types.js';

export function AgentView() {
  const user = useUser();
  const { message } = App.useApp();
  const { categories, units } = useCatalogue();

  const { phone, change } = useAgentState();
  const offer = useOffer(phone.data, user.id, phone.reload);
  // The draft's hooks need the call's transcript and the call needs to prefill the draft: a ref breaks the loop.
  const prefill = useRef<(c: CallDetail) => void>(() => {});
  const call = useLiveCall(phone.data, phone.reload, (c) => prefill.current(c));
  const { callId, transcript } = call;
  const draft = useIntakeDraft(callId, transcript.callerText);
  prefill.current = (c) => draft.prefillPhone(c.callerNumber);

  const intake = useIntakeProposals(callId, transcript.finals);
  const proposal = useClassification(draft.description, draft.values.address);
  const { form } = draft;
  const { emergency, liveAlert, transferredTo, transfer } = useEmergency(callId, proposal.data, () => form.getFieldValue('address'));
  const history = useCallerHistory(draft.values.phone);
  const knowledge = useKnowledge();

  const { offered, clear: clearOffer } = offer;
  const { start, finish } = call;
  const reloadPhone = phone.reload;
  const answer = useCallback(async () => {
    if (!offered) return;
    try {
      await answerCall(offered);
      start(offered);
      clearOffer();
      form.resetFields();
      reloadPhone();
    } catch (err) {
      message.error((err as Error).message);
    }
  }, [offered, start, clearOffer, form, reloadPhone, message]);

  const submitting = useSubmit({
    draft,
    proposal: proposal.data,
    callId,
    emergency: !!emergency,
    callEnded: call.ended,
    onDoneAfterCall: finish,
  });
  const { submit } = submitting;
  const { hangup } = call;
  useShortcuts({
    answer: useCallback(() => void answer(), [answer]),
    hangup: useCallback(() => void hangup(), [hangup]),
    submit: useCallback(() => void submit(false), [submit]),
  });

  const accept = (code: string) => {
    const cat = categories.find((c) => c.code === code);
    if (!cat) return message.warning(`类别 ${code} 不在目录中`);
    const p = proposal.data;
    const dept = p?.category === code && p.departmentId ? p.departmentId : cat.defaultDepartmentId;
    draft.apply({ categoryId: cat.id, departmentId: dept ?? undefined });
  };

  const chips = intakeChips(intake.result, draft, transcript.showQuote);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <PhoneBar phone={phone} onState={(s) => void change(s)} callId={callId} ended={call.ended} onHangup={hangup} />
      {offered && <RingingAlert callId={offered} onAnswer={answer} />}
      {emergency && <EmergencyAlert emergency={emergency} liveAlert={liveAlert} transferredTo={transferredTo} onTransfer={transfer} />}
      {call.audio.note && <Alert type="info" showIcon title={call.audio.note} closable />}

      <Row gutter={12}>
        <Col xs={24} lg={10}>
          <TranscriptPanel callId={callId} transcript={transcript} intakeError={intake.error} />
          <ClassifyCard proposal={proposal} onAccept={accept} />
        </Col>
        <Col xs={24} lg={14}>
          <IntakeForm
            draft={draft}
            chips={chips}
            callId={callId}
            categories={categories}
            units={units}
            busy={submitting.busy}
            error={submitting.error}
            onSubmit={(close) => void submit(close)}
          />
          <Row gutter={12} style={{ marginTop: 12 }}>
            <Col span={12}>
              <CallerHistory earlier={history.earlier} phoneQ={history.phoneQ} />
            </Col>
            <Col span={12}>
              <KnowledgePanel articles={knowledge.articles} onSearch={knowledge.search} />
            </Col>
          </Row>
        </Col>
      </Row>
    </Space>
  );
}
