/**
 * 话务员: phone state, the ringing call, the live transcript, the intake form prefilled from
 * the transcript and the classifier, the caller's earlier cases, the knowledge base, and the
 * emergency transfer. Shortcuts: F2 answer, F4 hang up, Ctrl+Enter submit.
 */
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  List,
  Row,
  Segmented,
  Select,
  Space,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useUser } from '../App.js';
import { setOnDuty } from '../activity.js';
import { api } from '../api.js';
import { startRinging, useCallAudio } from '../audio.js';
import { ClassifyCard } from '../components/ClassifyCard.js';
import { Suggestion, type SuggestionState } from '../components/Suggestion.js';
import { clearDraft, loadDraft, saveDraft } from '../drafts.js';
import { AGENT_STATE_ZH, dateTime } from '../format.js';
import { unitTree, useCatalogue, useLoad } from '../hooks.js';
import { quoteContext, segmentKey, useIntakeProposals } from '../intake.js';
import { useLiveEvents, useResync } from '../live.js';
import type { ClassifyResult, IntakeQuote, Page, Segment, WorkOrder } from '../types.js';

interface AgentState {
  state: string;
  since: string;
  callId: number | null;
  offeredCallId: number | null;
}

interface CallDetail {
  id: number;
  callerNumber: string | null;
  state: string;
  emergency: boolean;
  transcript: (Segment & { startMs: number | null })[];
}

interface Intake {
  callerName?: string;
  callerPhone?: string;
  address?: string;
  /** The caller asked not to be named: the work order keeps no name and the department sees no number. */
  anonymous?: boolean;
  description?: string;
  categoryId?: number;
  departmentId?: number;
  answer?: string;
}

const PHONE = /^[0-9+\-\s()]{3,30}$/;
const digits = (s: string) => s.replace(/\D/g, '');
const trimmed = (s: string) => s.trim();

/** How a heard value stands to what the field holds: empty, something else, or the same. */
function suggestionState(current: string | undefined, value: string, norm: (s: string) => string = trimmed): SuggestionState {
  if (!current?.trim()) return 'empty';
  return norm(current) === norm(value) ? 'same' : 'differs';
}

/** What the emergency watch publishes when a transcript segment or note needs 110/119/120. */
interface LiveAlert {
  callId: number | null;
  line: '110' | '119' | '120';
  reason: string;
  matched: string[];
  text: string;
  autoTransfer: boolean;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function AgentView() {
  const user = useUser();
  const { message } = App.useApp();
  const { categories, units } = useCatalogue();
  const [form] = Form.useForm<Intake>();

  // ---- phone state and the call ----
  const phone = useLoad(() => api.get<AgentState>('/api/agents/me/state'), []);
  const [offered, setOffered] = useState<number | null>(null);
  const [callId, setCallId] = useState<number | null>(null);
  const [call, setCall] = useState<CallDetail | null>(null);
  const [segments, setSegments] = useState<Map<string, Segment>>(new Map());
  const audio = useCallAudio(callId);

  // Waiting in the queue is work: the session stays while the agent can be offered calls.
  useEffect(() => {
    setOnDuty(['available', 'on_call', 'after_call'].includes(phone.data?.state ?? ''));
    return () => setOnDuty(false);
  }, [phone.data?.state]);
  useEffect(() => {
    if (!phone.data) return;
    setOffered(phone.data.offeredCallId);
    if (phone.data.callId) setCallId(phone.data.callId);
  }, [phone.data]);
  useResync(phone.reload);

  // The ring tone plays while a call is offered.
  useEffect(() => {
    if (!offered) return;
    return startRinging();
  }, [offered]);

  const draftKey = `intake.${callId ?? 'manual'}`;

  // Stored segments (after a reload or a resync) merge under the live ones, never wipe them.
  const loadCall = useCallback(
    async (id: number) => {
      const c = await api.get<CallDetail>(`/api/calls/${id}`);
      setCall(c);
      setSegments((m) => {
        const next = new Map(c.transcript.map((s) => [`${s.leg}:${s.seq}`, s as Segment]));
        for (const [k, v] of m) if (!next.has(k) || !next.get(k)!.final) next.set(k, v);
        return next;
      });
      if (c.callerNumber && !form.getFieldValue('callerPhone')) form.setFieldValue('callerPhone', c.callerNumber);
    },
    [form],
  );
  const messageRef = useRef(message);
  messageRef.current = message;

  // Call details follow the call id only: re-renders must not reload them.
  useEffect(() => {
    if (callId) loadCall(callId).catch((e) => messageRef.current.error((e as Error).message));
  }, [callId, loadCall]);
  useResync(() => {
    if (callId) void loadCall(callId).catch(() => {});
  });

  useLiveEvents('call.', (e) => {
    const p = e.payload as { callId: number; agentId?: number } & Partial<Segment>;
    if (e.type === 'call.offered' && p.agentId === user.id) setOffered(p.callId);
    else if (e.type === 'call.offer_expired' && p.callId === offered) setOffered(null);
    else if (e.type === 'call.transcript' && p.callId === callId) {
      // A final replaces the partial with the same leg and number.
      setSegments((m) =>
        new Map(m).set(`${p.leg}:${p.seq}`, {
          leg: p.leg!,
          seq: p.seq!,
          text: p.text!,
          final: !!p.final,
          startMs: p.startMs ?? null,
          endMs: p.endMs ?? null,
        }),
      );
    } else if (e.type === 'call.ended' && (p.callId === callId || p.callId === offered)) {
      if (p.callId === offered) setOffered(null);
      if (p.callId === callId) {
        audio.stop();
        setCall((c) => (c ? { ...c, state: 'ended' } : c));
        message.info('通话已结束，请完成工单');
      }
      phone.reload();
    }
  });
  useLiveEvents('agent.state', () => phone.reload());

  // The watch's alert for this call: raised by what the caller said, before anyone typed.
  // Both are kept with their call's id, so a new call starts without them.
  const [alertOf, setAlertOf] = useState<LiveAlert | null>(null);
  const [transferOf, setTransferOf] = useState<{ callId: number; line: string } | null>(null);
  const liveAlert = alertOf && alertOf.callId === callId ? alertOf : null;
  const transferredTo = transferOf && transferOf.callId === callId ? transferOf.line : null;
  useLiveEvents('emergency.', (e) => {
    const p = e.payload as LiveAlert & { message?: string };
    if (p.callId === null || p.callId !== callId) return;
    if (e.type === 'emergency.alert') setAlertOf((a) => (a?.callId === p.callId ? a : p));
    else if (e.type === 'emergency.transferred') {
      setTransferOf({ callId: p.callId as number, line: p.line });
      if ((p as { auto?: boolean }).auto) message.warning(`已按规则自动转接 ${p.line}`);
    } else if (e.type === 'emergency.transfer_failed') message.error(`转接 ${p.line} 失败：${p.message ?? ''}`);
  });

  const answer = useCallback(async () => {
    if (!offered) return;
    try {
      await api.post(`/api/calls/${offered}/answer`);
      setCallId(offered);
      setOffered(null);
      setSegments(new Map());
      setMark(null);
      form.resetFields();
      phone.reload();
    } catch (err) {
      message.error((err as Error).message);
    }
  }, [offered, form, message, phone]);

  const hangup = useCallback(async () => {
    if (!callId || call?.state === 'ended') return;
    try {
      await api.post(`/api/calls/${callId}/hangup`);
    } catch (err) {
      message.error((err as Error).message);
    }
  }, [callId, call, message]);

  // ---- transcript → description ----
  const transcript = [...segments.values()].sort((a, b) => a.seq - b.seq || a.leg.localeCompare(b.leg));
  const callerText = transcript
    .filter((s) => s.leg === 'caller' && s.final)
    .map((s) => s.text)
    .join('，');
  const descTouched = useRef(false);
  useEffect(() => {
    if (callerText && !descTouched.current) {
      form.setFieldValue('description', callerText);
      saveDraft(draftKey, form.getFieldsValue());
      setDescription(callerText);
    }
  }, [callerText, form, draftKey]);
  const endRef = useRef<HTMLDivElement>(null);

  // ---- what the call says → suggestions beside the form's fields (never written without a click) ----
  const finals = transcript.filter((s) => s.final);
  const intake = useIntakeProposals(callId, finals);
  const heard = intake.result?.proposal;
  const transcriptRef = useRef<HTMLDivElement>(null);
  const [mark, setMark] = useState<{ callId: number; key: string; start: number; end: number } | null>(null);
  const quoteOf = (q: IntakeQuote) => {
    const seg = intake.result?.segments[q.segment];
    return { quote: quoteContext(seg?.text, q), segmentText: seg?.text };
  };
  /** Marks the quoted words in the transcript and scrolls to them. */
  const showQuote = (q: IntakeQuote) => {
    const key = typeof q.segmentId === 'string' ? q.segmentId : intake.result?.segments[q.segment]?.key;
    if (!key || !callId) return;
    setMark({ callId, key, start: q.start, end: q.end });
    const row = transcriptRef.current?.querySelector(`[data-seg="${CSS.escape(key)}"]`);
    // A block body, as below: scrollIntoView may return a Promise.
    void row?.scrollIntoView({ block: 'nearest' });
  };
  const applySuggestion = (field: keyof Intake, value: string | boolean) => {
    form.setFieldValue(field, value);
    saveDraft(draftKey, form.getFieldsValue());
    void form.validateFields([field]).catch(() => {});
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when the transcript grows
  useEffect(() => {
    // A block body: current Chromium returns a Promise from scrollIntoView, and React would
    // call whatever an effect returns as its cleanup ("l is not a function" blanked the view).
    void endRef.current?.scrollIntoView({ block: 'nearest' });
  }, [transcript.length]);

  // ---- classifier proposals ----
  const [description, setDescription] = useState<string>(loadDraft<Intake>(draftKey)?.description ?? '');
  const text = useDebounced(description, 700);
  // The address picks the street/community/grid whose routing overrides apply.
  const addressValue = Form.useWatch('address', form) as string | undefined;
  const addressQ = useDebounced((addressValue ?? '').trim().slice(0, 500), 700);
  const proposal = useLoad(
    () =>
      text.trim().length >= 4
        ? api.post<ClassifyResult>('/api/classify', { text, topK: 3, ...(addressQ ? { address: addressQ } : {}) })
        : Promise.resolve(undefined),
    [text, addressQ],
  );
  const typed = proposal.data?.emergency.is ? proposal.data.emergency : null;
  // The live alert (what the caller said) takes precedence over the typed description's verdict.
  const emergency = useMemo(() => liveAlert ?? (typed?.line ? { ...typed, matched: [] as string[], text: '' } : null), [liveAlert, typed]);
  useEffect(() => {
    document.body.classList.toggle('emergency', !!emergency);
    return () => document.body.classList.remove('emergency');
  }, [emergency]);

  const accept = (code: string) => {
    const cat = categories.find((c) => c.code === code);
    if (!cat) return message.warning(`类别 ${code} 不在目录中`);
    const dept = proposal.data?.category === code && proposal.data.departmentId ? proposal.data.departmentId : cat.defaultDepartmentId;
    form.setFieldsValue({ categoryId: cat.id, departmentId: dept ?? undefined });
    saveDraft(draftKey, form.getFieldsValue());
  };

  const transfer = async () => {
    if (!emergency?.line) return;
    if (!callId) return message.warning('当前没有通话可转接');
    try {
      // The emergency route also stores the referral with the transcript excerpt and the address.
      const address = (form.getFieldValue('address') as string | undefined)?.trim();
      await api.post('/api/emergency/transfer', {
        callId,
        line: emergency.line,
        address: address || undefined,
        reason: emergency.reason ?? undefined,
      });
      setTransferOf({ callId, line: emergency.line });
      message.success(`已转接 ${emergency.line}，转警记录已保存`);
    } catch (err) {
      message.error((err as Error).message);
    }
  };

  // ---- caller's earlier cases, knowledge ----
  const phoneValue = Form.useWatch('callerPhone', form);
  const nameValue = Form.useWatch('callerName', form) as string | undefined;
  const anonymousValue = Form.useWatch('anonymous', form) as boolean | undefined;
  const phoneQ = useDebounced(phoneValue && PHONE.test(phoneValue) ? phoneValue.replace(/\D/g, '') : '', 500);
  const earlier = useLoad(
    () => (phoneQ.length >= 7 ? api.get<Page<WorkOrder>>('/api/work-orders', { q: phoneQ, pageSize: 5 }) : Promise.resolve(undefined)),
    [phoneQ],
  );
  const [kbQ, setKbQ] = useState('');
  const kb = useLoad(
    () => (kbQ ? api.get<{ id: number; title: string; body: string }[]>('/api/knowledge', { q: kbQ, limit: 5 }) : Promise.resolve([])),
    [kbQ],
  );

  // ---- submit ----
  const [submitError, setSubmitError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = useCallback(
    async (closeOnCall: boolean) => {
      let v: Intake;
      try {
        v = await form.validateFields();
      } catch {
        return;
      }
      if (closeOnCall && !v.answer?.trim()) {
        setSubmitError('直接办结需要填写答复内容。');
        return;
      }
      setBusy(true);
      setSubmitError(undefined);
      try {
        const p = proposal.data;
        const { workOrder: wo } = await api.post<{ workOrder: WorkOrder }>('/api/work-orders', {
          callerName: v.callerName || null,
          callerPhone: v.callerPhone || null,
          address: v.address || null,
          anonymous: !!v.anonymous,
          description: v.description,
          categoryId: v.categoryId ?? null,
          departmentId: v.departmentId ?? null,
          callId: callId ?? null,
          emergency: !!emergency,
          proposal: p ? { categoryId: p.categoryId, departmentId: p.departmentId, modelVersion: p.model } : null,
          submit: !closeOnCall,
        });
        if (closeOnCall)
          await api.post(`/api/work-orders/${wo.id}/transitions`, { action: 'resolve_on_call', result: v.answer, version: wo.version });
        clearDraft(draftKey);
        form.resetFields();
        descTouched.current = false;
        setDescription('');
        message.success(`工单 ${wo.number} 已${closeOnCall ? '直接办结' : '提交派单'}`);
        if (call?.state === 'ended') {
          setCallId(null);
          setCall(null);
          setSegments(new Map());
        }
      } catch (err) {
        setSubmitError((err as Error).message);
      } finally {
        setBusy(false);
      }
    },
    [form, proposal.data, callId, emergency, draftKey, message, call],
  );

  // ---- keyboard ----
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F2') {
        e.preventDefault();
        void answer();
      } else if (e.key === 'F4') {
        e.preventDefault();
        void hangup();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void submit(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [answer, hangup, submit]);

  const setState = async (state: string) => {
    try {
      await api.post('/api/agents/me/state', { state });
      phone.reload();
    } catch (err) {
      message.error((err as Error).message);
    }
  };

  const chips = {
    phone: heard?.phone && (
      <Suggestion
        id="phone"
        value={heard.phone.value}
        state={suggestionState(phoneValue, heard.phone.value, digits)}
        {...quoteOf(heard.phone.from)}
        onQuote={() => showQuote(heard.phone!.from)}
        onApply={() => applySuggestion('callerPhone', heard.phone!.value)}
      />
    ),
    name: heard?.name && (
      <Suggestion
        id="name"
        value={heard.name.value.display}
        state={suggestionState(nameValue, heard.name.value.display)}
        {...quoteOf(heard.name.from)}
        onQuote={() => showQuote(heard.name!.from)}
        onApply={() => applySuggestion('callerName', heard.name!.value.display)}
      />
    ),
    address: heard?.address && (
      <Suggestion
        id="address"
        value={heard.address.value}
        note={heard.address.place ? `（${heard.address.place.name}）` : undefined}
        state={suggestionState(addressValue, heard.address.value)}
        {...quoteOf(heard.address.from)}
        onQuote={() => showQuote(heard.address!.from)}
        onApply={() => applySuggestion('address', heard.address!.value)}
      />
    ),
    anonymous: heard?.anonymous && (
      <Suggestion
        id="anonymous"
        value="匿名"
        state={anonymousValue ? 'same' : 'empty'}
        {...quoteOf(heard.anonymous.from)}
        onQuote={() => showQuote(heard.anonymous!.from)}
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
        onQuote={() => showQuote(heard.requestType!.from)}
      />
    ),
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small">
        <Space wrap>
          <Typography.Text strong>坐席状态：</Typography.Text>
          {phone.missing ? (
            <Alert type="warning" showIcon title="话务接口尚未提供（话务模块未安装），可手工受理工单" />
          ) : (
            <Segmented
              data-testid="agent-state"
              value={phone.data?.state ?? 'offline'}
              onChange={(s) => void setState(String(s))}
              options={['available', 'on_call', 'after_call', 'paused'].map((s) => ({
                value: s,
                label: AGENT_STATE_ZH[s],
                disabled: s === 'on_call',
              }))}
            />
          )}
          {callId && (
            <>
              <Tag color={call?.state === 'ended' ? 'default' : 'green'}>
                {call?.state === 'ended' ? '通话已结束' : `通话中 #${callId}`}
              </Tag>
              <Button danger onClick={hangup} disabled={call?.state === 'ended'} data-testid="hangup">
                挂断 (F4)
              </Button>
            </>
          )}
          <Typography.Text type="secondary">快捷键：F2 接听 · F4 挂断 · Ctrl+Enter 提交</Typography.Text>
        </Space>
      </Card>

      {offered && (
        <Alert
          type="warning"
          showIcon
          data-testid="ringing"
          title={<strong>来电振铃中（#{offered}）</strong>}
          action={
            <Button type="primary" size="large" onClick={answer} data-testid="answer">
              接听 (F2)
            </Button>
          }
        />
      )}

      {emergency && (
        <Alert
          type="error"
          showIcon
          data-testid="emergency"
          title={<strong>紧急警情：{emergency.reason ?? '请立即转接'}</strong>}
          description={
            liveAlert && (
              <span data-testid="emergency-words">
                {liveAlert.matched.length ? `触发词：${liveAlert.matched.join('、')}` : '模型判断'}
                {liveAlert.text && `　来电人说：“${liveAlert.text}”`}
              </span>
            )
          }
          action={
            <Button danger type="primary" size="large" onClick={transfer} disabled={!!transferredTo} data-testid="transfer">
              {transferredTo ? `已转接 ${transferredTo}` : `一键转接 ${emergency.line}`}
            </Button>
          }
        />
      )}
      {audio.note && <Alert type="info" showIcon title={audio.note} closable />}

      <Row gutter={12}>
        <Col xs={24} lg={10}>
          <Card size="small" title="实时转写">
            <div className="transcript" data-testid="transcript" ref={transcriptRef}>
              {transcript.length === 0 && (
                <Typography.Text type="secondary">{callId ? '等待语音…' : '接听来电后显示通话转写'}</Typography.Text>
              )}
              {transcript.map((s) => {
                const key = segmentKey(s);
                const m = s.final && mark?.callId === callId && mark.key === key && mark.end <= s.text.length ? mark : null;
                return (
                  <div key={key} data-seg={key} className={`${s.leg}${s.final ? '' : ' partial'}${m ? ' quoted' : ''}`}>
                    {s.leg === 'caller' ? '来电人：' : '坐席：'}
                    {m ? (
                      <>
                        {s.text.slice(0, m.start)}
                        <mark>{s.text.slice(m.start, m.end)}</mark>
                        {s.text.slice(m.end)}
                      </>
                    ) : (
                      s.text
                    )}
                  </div>
                );
              })}
              <div ref={endRef} />
            </div>
            {intake.error && (
              <Typography.Text type="secondary" data-testid="intake-error">
                未能从通话中提取信息：{intake.error}
              </Typography.Text>
            )}
          </Card>
          <ClassifyCard proposal={proposal} onAccept={accept} />
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title="受理登记">
            <Form
              key={draftKey}
              form={form}
              layout="vertical"
              initialValues={loadDraft<Intake>(draftKey) ?? {}}
              onValuesChange={(changed: Intake, all) => {
                saveDraft(draftKey, all);
                if ('description' in changed) {
                  descTouched.current = true;
                  setDescription(changed.description ?? '');
                }
              }}
            >
              <Row gutter={12}>
                <Col span={8}>
                  <Form.Item name="callerName" label="来电人" extra={chips.name}>
                    <Input maxLength={100} data-testid="caller-name" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item
                    name="callerPhone"
                    label="联系电话"
                    rules={[{ pattern: PHONE, message: '电话号码格式不正确' }]}
                    extra={chips.phone}
                  >
                    <Input maxLength={30} data-testid="caller-phone" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="address" label="地址" extra={chips.address}>
                    <Input maxLength={500} data-testid="address" />
                  </Form.Item>
                </Col>
              </Row>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item label="诉求类型" tooltip="从通话中听取，仅供参考：工单暂不记录此项" style={{ marginBottom: 8 }}>
                    {chips.requestType || (
                      <Typography.Text type="secondary">{callId ? '通话中听到后显示' : '接听来电后从通话中听取'}</Typography.Text>
                    )}
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="anonymous" valuePropName="checked" label="匿名" extra={chips.anonymous} style={{ marginBottom: 8 }}>
                    <Checkbox data-testid="anonymous">匿名受理（不登记姓名，承办单位看不到电话）</Checkbox>
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="description" label="诉求内容" rules={[{ required: true, whitespace: true, message: '请填写诉求内容' }]}>
                <Input.TextArea rows={4} maxLength={10000} showCount data-testid="description" />
              </Form.Item>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="categoryId" label="事项类别">
                    <Select
                      allowClear
                      showSearch
                      optionFilterProp="label"
                      data-testid="category"
                      options={categories.map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))}
                    />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="departmentId" label="承办单位">
                    <TreeSelect allowClear treeData={unitTree(units)} showSearch treeNodeFilterProp="title" />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="answer" label="现场答复（直接办结时填写）">
                <Input.TextArea rows={2} />
              </Form.Item>
              {submitError && <Alert type="error" showIcon title={submitError} style={{ marginBottom: 12 }} data-testid="submit-error" />}
              <Space>
                <Button type="primary" loading={busy} onClick={() => submit(false)} data-testid="submit">
                  提交派单 (Ctrl+Enter)
                </Button>
                <Button loading={busy} onClick={() => submit(true)} data-testid="resolve">
                  直接办结
                </Button>
              </Space>
            </Form>
          </Card>
          <Row gutter={12} style={{ marginTop: 12 }}>
            <Col span={12}>
              <Card size="small" title="来电人历史工单">
                {earlier.missing ? (
                  <Typography.Text type="secondary">工单接口尚未提供</Typography.Text>
                ) : (
                  <List
                    size="small"
                    dataSource={earlier.data?.items ?? []}
                    locale={{ emptyText: phoneQ ? '无历史工单' : '填写电话后显示' }}
                    renderItem={(w) => (
                      <List.Item>
                        <span>
                          <Tag>{w.stateName}</Tag>
                          {dateTime(w.createdAt)} {w.description.slice(0, 30)}
                        </span>
                      </List.Item>
                    )}
                  />
                )}
              </Card>
            </Col>
            <Col span={12}>
              <Card size="small" title="知识库">
                <Input.Search placeholder="搜索政策、办事指南" onSearch={setKbQ} allowClear />
                {kb.missing && <Typography.Text type="secondary">知识库接口尚未提供</Typography.Text>}
                <List
                  size="small"
                  dataSource={kb.data ?? []}
                  renderItem={(a) => (
                    <List.Item>
                      <div>
                        <strong>{a.title}</strong>
                        <div style={{ fontSize: 12, color: '#595959' }}>{a.body.slice(0, 120)}</div>
                      </div>
                    </List.Item>
                  )}
                />
              </Card>
            </Col>
          </Row>
        </Col>
      </Row>
    </Space>
  );
}
