/**
 * 回访员: the callback queue. 待回访 lists the callbacks due now (GET /api/callbacks?view=due)
 * to claim (领取, the server lets exactly one staff member take each); 我的回访 lists the ones
 * this user claimed or finished. A claimed callback opens in the 回访工作台: click-to-call
 * (POST /api/callbacks/:id/call, the call's audio over /ws/calls/:id/audio like the agent
 * view, 挂断), and the outcome form (满意 … 联系不上 + 备注, POST /api/callbacks/:id/result),
 * kept as a draft until the server accepts it. 失败/需人工 lists automated callbacks the
 * survey could not finish (state failed: the result could not be written, or the attempts
 * ran out without one), each with its reason; staff requeue one for the survey (重新排队,
 * POST /api/callbacks/:id/retry) or take it over as their own manual callback (转人工回访,
 * POST /api/callbacks/:id/take-over).
 */

import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Empty, Form, Input, Radio, Space, Table, Tabs, Tag, Typography } from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useUser } from '../App.js';
import { api } from '../api.js';
import { useCallAudio } from '../audio.js';
import { WorkOrderTable } from '../components/WorkOrderTable.js';
import { clearDraft, loadDraft, saveDraft } from '../drafts.js';
import { dateTime } from '../format.js';
import { useLiveEvents, useResync } from '../live.js';
import { keys, useApiQuery } from '../queries.js';
// The server's own type (type-only, nothing of the server is bundled): the desk reads what callback/routes.ts answers.
import type { Call, Callback, CallbackCall, CallDetail } from '../types.js';

/** Every state of callback/routes.ts STATES. */
export const CALLBACK_STATE_ZH: Record<string, { label: string; color: string }> = {
  scheduled: { label: '待回访', color: 'blue' },
  claimed: { label: '回访中', color: 'orange' },
  done: { label: '已完成', color: 'green' },
  unreachable: { label: '联系不上', color: 'red' },
  cancelled: { label: '已取消', color: 'default' },
  failed: { label: '失败/需人工', color: 'volcano' },
};

/** The outcomes of callback/store.ts OUTCOMES, in the order staff ask them. */
const OUTCOMES = [
  { value: 'satisfied', label: '满意' },
  { value: 'basically_satisfied', label: '基本满意' },
  { value: 'unsatisfied', label: '不满意' },
  { value: 'unsolved', label: '未解决' },
  { value: 'unreachable', label: '联系不上' },
] as const;
const OUTCOME_LABEL: Record<string, string> = Object.fromEntries(OUTCOMES.map((o) => [o.value, o.label]));

const CALL_STATE_ZH = { ringing: '呼叫中…', answered: '通话中', ended: '通话已结束' } as const;

interface CallState {
  id: number;
  callbackId: number;
  state: keyof typeof CALL_STATE_ZH;
  detail?: string;
}

function StateTag({ state }: { state: string }) {
  const s = CALLBACK_STATE_ZH[state];
  return <Tag color={s?.color}>{s?.label ?? state}</Tag>;
}

function CallbackTable({
  rows,
  loading,
  actions,
  selected,
  onSelect,
  failures,
}: {
  rows: Callback[];
  loading: boolean;
  actions: (r: Callback) => ReactNode;
  selected?: number | null;
  onSelect?: (r: Callback) => void;
  /** Shows why and when each one failed (the 失败/需人工 list). */
  failures?: boolean;
}) {
  return (
    <Table<Callback>
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={rows}
      pagination={{ pageSize: 10, showTotal: (t) => `共 ${t} 件` }}
      rowClassName={(r) => (r.id === selected ? 'ant-table-row-selected' : '')}
      onRow={(r) => (onSelect ? { onClick: () => onSelect(r), style: { cursor: 'pointer' } } : {})}
      columns={[
        { title: '工单号', dataIndex: 'workOrderNumber', width: 170 },
        { title: '承办单位', dataIndex: 'departmentName', width: 160, render: (v: string | null) => v ?? '—' },
        { title: '诉求内容', dataIndex: 'description', ellipsis: true },
        { title: '答复内容', dataIndex: 'replyText', ellipsis: true, render: (v: string | null) => v ?? '—' },
        ...(failures
          ? [
              { title: '失败原因', dataIndex: 'failureReason', render: (v: string | null) => v ?? '—' },
              { title: '失败时间', dataIndex: 'failedAt', width: 150, render: (v: string | null) => (v ? dateTime(v) : '—') },
            ]
          : [{ title: '应回访时间', dataIndex: 'dueAt', width: 150, render: dateTime }]),
        { title: '拨打次数', width: 90, render: (_, r) => `${r.attempts}/${r.maxAttempts}` },
        {
          title: '状态',
          width: 150,
          render: (_, r) => (
            <Space size={4}>
              <StateTag state={r.state} />
              {r.outcome && <Tag>{OUTCOME_LABEL[r.outcome] ?? r.outcome}</Tag>}
            </Space>
          ),
        },
        { title: '操作', width: failures ? 200 : 120, render: (_, r) => actions(r) },
      ]}
    />
  );
}

interface Draft {
  outcome?: string;
  note?: string;
}

/** The outcome form of one claimed callback; what is typed stays in a draft until accepted. */
function OutcomeForm({ cb, onDone }: { cb: Callback; onDone: () => void }) {
  const { message } = App.useApp();
  const key = `callback.result.${cb.id}`;
  const [form] = Form.useForm<Draft>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    let v: Draft;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.post<Callback>(`/api/callbacks/${cb.id}/result`, { outcome: v.outcome, note: v.note?.trim() || undefined });
      clearDraft(key);
      form.resetFields();
      message.success(
        r.state === 'scheduled'
          ? `已记录联系不上，将于 ${dateTime(r.dueAt)} 再次回访`
          : `回访结果已记录：${OUTCOME_LABEL[v.outcome ?? '']}`,
      );
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={loadDraft<Draft>(key) ?? {}}
      onValuesChange={(_, all) => saveDraft(key, all)}
      data-testid="callback-result-form"
    >
      <Form.Item name="outcome" label="回访结果" rules={[{ required: true, message: '请选择回访结果' }]}>
        <Radio.Group optionType="button" buttonStyle="solid" options={OUTCOMES.map((o) => ({ value: o.value, label: o.label }))} />
      </Form.Item>
      <Form.Item name="note" label="备注" rules={[{ max: 2000, message: '备注最多 2000 字' }]}>
        <Input.TextArea rows={3} placeholder="市民的意见、未解决的原因等" />
      </Form.Item>
      <Typography.Paragraph type="secondary">
        满意、基本满意：工单结案；不满意、未解决：退回承办单位重办；联系不上：稍后再次回访，最后一次仍联系不上则结案。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Button type="primary" loading={busy} onClick={submit} data-testid="callback-submit">
        提交回访结果
      </Button>
    </Form>
  );
}

function useCallbacks(query: Record<string, string | number>) {
  return useApiQuery(keys.callbackList(query), () => api.get<{ items: Callback[]; total: number }>('/api/callbacks', query));
}

export function CallbackView() {
  const user = useUser();
  const { message } = App.useApp();
  const [tab, setTab] = useState('due');
  const [selected, setSelected] = useState<number | null>(null);
  // Someone claimed, recorded or the survey called (callback.* events), or the channel resynced:
  // the lists are asked again (queries.ts), the server decides what each holds now.
  const due = useCallbacks({ view: 'due', limit: 200 });
  const mine = useCallbacks({ view: 'mine', limit: 200 });
  const failed = useCallbacks({ view: 'all', state: 'failed', limit: 200 });
  const queryClient = useQueryClient();
  const reload = useCallback(() => void queryClient.invalidateQueries({ queryKey: keys.callbacks }), [queryClient]);

  // ---- click-to-call ----
  const [call, setCall] = useState<CallState | null>(null);

  // After a reload or a resync: the call this user placed that is still on, if any.
  const restoreCall = useCallback(async () => {
    try {
      const calls = await api.get<Call[]>('/api/calls', {
        agentId: user.id,
        channel: 'outbound',
        limit: 5,
      });
      const on = calls.find((c) => c.state !== 'ended' && c.details.callbackId);
      if (on) {
        setCall({ id: on.id, callbackId: on.details.callbackId as number, state: on.state === 'ringing' ? 'ringing' : 'answered' });
        setSelected(on.details.callbackId as number);
        setTab('mine');
      } else setCall((c) => (c && c.state !== 'ended' ? { ...c, state: 'ended' } : c));
    } catch {
      // No telephony on this server: nothing to restore.
    }
  }, [user.id]);
  useEffect(() => {
    void restoreCall();
  }, [restoreCall]);
  useResync(() => void restoreCall());

  useLiveEvents('call.', (e) => {
    const p = e.payload as { callId: number; detail?: string };
    setCall((c) => {
      if (!c || c.id !== p.callId) return c;
      if (e.type === 'call.answered') return { ...c, state: 'answered' };
      if (e.type === 'call.ended') return { ...c, state: 'ended', detail: p.detail };
      return c;
    });
  });

  // The audio follows the answered call only.
  const audio = useCallAudio(call?.state === 'answered' ? call.id : null);

  const dial = async (cb: Callback) => {
    try {
      const r = await api.post<CallbackCall>(`/api/callbacks/${cb.id}/call`);
      audio.setNote(undefined);
      setCall({ id: r.callId, callbackId: cb.id, state: 'ringing' });
      // The answer may have come before this reply: ask the server where the call is.
      const now = await api.get<CallDetail>(`/api/calls/${r.callId}`);
      setCall((c) =>
        c?.id === r.callId && c.state === 'ringing' && now.state !== 'ringing'
          ? { ...c, state: now.state === 'ended' ? 'ended' : 'answered' }
          : c,
      );
    } catch (err) {
      message.error((err as Error).message);
    }
  };
  const hangup = async () => {
    if (!call || call.state === 'ended') return;
    try {
      await api.post(`/api/calls/${call.id}/hangup`);
    } catch (err) {
      message.error((err as Error).message);
    }
  };

  const claim = async (cb: Callback) => {
    try {
      await api.post(`/api/callbacks/${cb.id}/claim`);
      message.success(`已领取 ${cb.workOrderNumber}`);
      setSelected(cb.id);
      setTab('mine');
      reload();
    } catch (err) {
      message.error((err as Error).message);
      reload();
    }
  };

  const requeue = async (cb: Callback) => {
    try {
      const r = await api.post<Callback>(`/api/callbacks/${cb.id}/retry`);
      message.success(`${cb.workOrderNumber} 已重新排队，将于 ${dateTime(r.dueAt)} 自动回访`);
    } catch (err) {
      message.error((err as Error).message);
    }
    reload();
  };
  const takeOver = async (cb: Callback) => {
    try {
      await api.post(`/api/callbacks/${cb.id}/take-over`);
      message.success(`已转为人工回访：${cb.workOrderNumber}`);
      setSelected(cb.id);
      setTab('mine');
    } catch (err) {
      message.error((err as Error).message);
    }
    reload();
  };

  // Claimed ones first: they are the work in hand; finished ones follow as the record.
  const mineRows = [...(mine.data?.items ?? [])].sort((a, b) => Number(b.state === 'claimed') - Number(a.state === 'claimed'));
  const open = (r: Callback) => r.state === 'claimed' && r.claimedBy === user.id;
  const current = selected === null ? mineRows.find(open) : mineRows.find((r) => r.id === selected && open(r));
  const onThis = call && current && call.callbackId === current.id ? call : null;
  const busyElsewhere = call && call.state !== 'ended' && (!current || call.callbackId !== current.id);

  const workbench = current ? (
    <Card size="small" title={`回访工作台 · ${current.workOrderNumber}`} data-testid="callback-workbench">
      <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label="来电人">{current.callerName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="联系电话">{current.callerPhone ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="承办单位">{current.departmentName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="拨打次数">{`${current.attempts}/${current.maxAttempts}`}</Descriptions.Item>
        <Descriptions.Item label="诉求内容" span={2}>
          {current.description}
        </Descriptions.Item>
        <Descriptions.Item label="答复内容" span={2}>
          {current.replyText ?? '—'}
        </Descriptions.Item>
        {current.failureReason && (
          <Descriptions.Item label="自动回访失败" span={2}>
            {current.failureReason}
          </Descriptions.Item>
        )}
      </Descriptions>
      <Space style={{ marginBottom: 16 }} wrap>
        <Button
          type="primary"
          onClick={() => dial(current)}
          disabled={!!busyElsewhere || (onThis !== null && onThis.state !== 'ended')}
          data-testid="callback-dial"
        >
          拨打
        </Button>
        <Button danger onClick={hangup} disabled={!onThis || onThis.state === 'ended'} data-testid="callback-hangup">
          挂断
        </Button>
        {onThis && (
          <Tag
            color={onThis.state === 'answered' ? 'green' : onThis.state === 'ringing' ? 'processing' : 'default'}
            data-testid="call-state"
          >
            {CALL_STATE_ZH[onThis.state]}
            {onThis.state === 'ended' && onThis.detail ? `（${onThis.detail}）` : ''}
          </Tag>
        )}
        {busyElsewhere && <Typography.Text type="warning">另一个回访通话尚未结束</Typography.Text>}
      </Space>
      {onThis?.state === 'answered' && audio.note && <Alert type="warning" showIcon title={audio.note} style={{ marginBottom: 16 }} />}
      <OutcomeForm
        key={current.id}
        cb={current}
        onDone={() => {
          setSelected(null);
          reload();
        }}
      />
    </Card>
  ) : (
    <Empty description="在列表中选择一条“回访中”的记录，拨打市民电话并记录回访结果" />
  );

  // Without the callback module the outcome can still be recorded on the case itself (结案 with 回访结果).
  if (due.missing) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type="warning" showIcon title="回访队列接口尚未提供（回访模块未安装）：请在待回访工单中记录回访结果。" />
        <WorkOrderTable filter={{ state: 'callback_pending' }} />
      </Space>
    );
  }
  return (
    <Tabs
      activeKey={tab}
      onChange={setTab}
      items={[
        {
          key: 'due',
          label: `待回访${due.data ? ` (${due.data.total})` : ''}`,
          children: (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {due.error && <Alert type="error" showIcon title={due.error} />}
              <CallbackTable
                rows={due.data?.items ?? []}
                loading={due.loading}
                actions={(r) => (
                  <Button size="small" type="primary" onClick={() => claim(r)}>
                    领取
                  </Button>
                )}
              />
            </Space>
          ),
        },
        {
          key: 'mine',
          label: `我的回访${mine.data ? ` (${mineRows.filter((r) => r.state === 'claimed').length})` : ''}`,
          children: (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {mine.error && <Alert type="error" showIcon title={mine.error} />}
              <CallbackTable
                rows={mineRows}
                loading={mine.loading}
                selected={current?.id ?? null}
                onSelect={(r) => setSelected(r.id)}
                actions={(r) =>
                  r.state === 'claimed' ? (
                    <Button size="small" onClick={() => setSelected(r.id)}>
                      回访
                    </Button>
                  ) : (
                    <Typography.Text type="secondary">{r.completedAt ? dateTime(r.completedAt) : '—'}</Typography.Text>
                  )
                }
              />
              {workbench}
            </Space>
          ),
        },
        {
          key: 'failed',
          label: `失败/需人工${failed.data ? ` (${failed.data.total})` : ''}`,
          children: (
            <Space orientation="vertical" style={{ width: '100%' }} data-testid="callback-failed">
              {failed.error && <Alert type="error" showIcon title={failed.error} />}
              <Typography.Paragraph type="secondary">
                自动回访未能完成的记录（结果未能写入，或拨打次数已用完仍无结果），不会再自动拨打。可重新排队自动回访，或转为人工回访后由您拨打并记录结果。
              </Typography.Paragraph>
              <CallbackTable
                failures
                rows={failed.data?.items ?? []}
                loading={failed.loading}
                actions={(r) => (
                  <Space size={4}>
                    <Button size="small" onClick={() => requeue(r)} data-testid="callback-retry">
                      重新排队
                    </Button>
                    <Button size="small" type="primary" onClick={() => takeOver(r)} data-testid="callback-take-over">
                      转人工回访
                    </Button>
                  </Space>
                )}
              />
            </Space>
          ),
        },
      ]}
    />
  );
}
