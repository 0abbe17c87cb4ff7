/**
 * One work order: its details, audit trail and related cases, and a form for each action
 * the server says the current user may take now (`allowedActions`). What is typed into an
 * action form is kept as a draft until the server accepts it.
 */
import {
  Alert,
  App,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Tabs,
  Tag,
  Timeline,
  TreeSelect,
} from 'antd';
import { useState } from 'react';
import { api } from '../api.js';
import { clearDraft, loadDraft, saveDraft } from '../drafts.js';
import { dateTime, OUTCOME_ZH } from '../format.js';
import { unitTree, useCatalogue } from '../hooks.js';
import { keys, useApiQuery } from '../queries.js';
import type { HistoryEntry, RelatedCase, WorkOrder, WorkOrderDetail } from '../types.js';

export const ACTION_ZH: Record<string, string> = {
  resolve_on_call: '直接办结',
  submit: '提交派单',
  dispatch: '派单',
  merge: '合并',
  accept: '签收',
  reply: '办结答复',
  return: '退单',
  request_extension: '申请延期',
  approve_extension: '批准延期',
  reject_extension: '驳回延期',
  forward: '转派下级',
  review: '审核',
  supervise: '督办',
  close: '结案',
  reopen: '重办',
  refer_110: '转110',
};

export function DeadlineTag({ wo }: { wo: Pick<WorkOrder, 'deadlineAt' | 'overdue' | 'nearDeadline' | 'closedAt'> }) {
  if (!wo.deadlineAt) return <span>—</span>;
  if (wo.overdue) return <Tag color="red">已超期 {dateTime(wo.deadlineAt)}</Tag>;
  if (wo.nearDeadline) return <Tag color="orange">临期 {dateTime(wo.deadlineAt)}</Tag>;
  return <span>{dateTime(wo.deadlineAt)}</span>;
}

const isoOf = (local?: string) => (local ? new Date(local).toISOString() : undefined);

function ActionForm({ wo, action, onDone }: { wo: WorkOrder; action: string; onDone: () => void }) {
  const { message } = App.useApp();
  const { categories, units } = useCatalogue();
  const draftKey = `wo.${wo.id}.${action}`;
  const [form] = Form.useForm();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const initial =
    loadDraft<Record<string, unknown>>(draftKey) ??
    (action === 'dispatch'
      ? {
          categoryId: wo.categoryId ?? wo.proposal?.categoryId ?? undefined,
          departmentId: wo.departmentId ?? wo.proposal?.departmentId ?? undefined,
        }
      : {});
  const departments = unitTree(units);
  const req = (msg: string) => [{ required: true, whitespace: true, message: msg }];

  const fields: Record<string, React.ReactNode> = {
    dispatch: (
      <>
        <Form.Item name="categoryId" label="事项类别" rules={[{ required: true, message: '请选择类别' }]}>
          <Select showSearch optionFilterProp="label" options={categories.map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))} />
        </Form.Item>
        <Form.Item name="departmentId" label="承办单位" rules={[{ required: true, message: '请选择承办单位' }]}>
          <TreeSelect
            treeData={departments}
            showSearch
            treeNodeFilterProp="title"
            treeDefaultExpandAll
            placeholder="部门或街道/社区/网格"
          />
        </Form.Item>
        <Form.Item name="instructions" label="派单意见">
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </>
    ),
    reply: (
      <Form.Item name="result" label="办理结果" rules={req('请填写办理结果')}>
        <Input.TextArea rows={3} maxLength={10000} />
      </Form.Item>
    ),
    resolve_on_call: (
      <Form.Item name="result" label="答复内容" rules={req('请填写答复内容')}>
        <Input.TextArea rows={3} />
      </Form.Item>
    ),
    return: (
      <Form.Item name="reason" label="退单理由" rules={req('请填写退单理由')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
    ),
    request_extension: (
      <>
        <Form.Item name="deadlineAt" label="申请延期至" rules={[{ required: true, message: '请选择新的办理期限' }]}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="reason" label="延期理由" rules={req('请填写延期理由')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </>
    ),
    approve_extension: (
      <Form.Item name="note" label="审批意见">
        <Input />
      </Form.Item>
    ),
    reject_extension: (
      <Form.Item name="note" label="驳回理由" rules={req('请填写驳回理由')}>
        <Input />
      </Form.Item>
    ),
    forward: (
      <Form.Item name="unitId" label="转派至下级单位" rules={[{ required: true, message: '请选择下级单位' }]}>
        <TreeSelect treeData={departments} showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
      </Form.Item>
    ),
    review: (
      <>
        <Form.Item name="decision" label="审核结论" rules={[{ required: true, message: '请选择审核结论' }]}>
          <Radio.Group
            options={[
              { value: 'accept', label: '通过，转回访' },
              { value: 'reject', label: '不通过，退回承办单位' },
            ]}
          />
        </Form.Item>
        <Form.Item name="note" label="审核意见">
          <Input />
        </Form.Item>
      </>
    ),
    supervise: (
      <Form.Item name="message" label="督办意见" rules={req('请填写督办意见')}>
        <Input.TextArea rows={2} />
      </Form.Item>
    ),
    close: (
      <>
        <Form.Item name="callbackOutcome" label="回访结果">
          <Select allowClear options={Object.entries(OUTCOME_ZH).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item name="reason" label="结案说明（无回访时必填）">
          <Input />
        </Form.Item>
      </>
    ),
    reopen: (
      <Form.Item name="reason" label="重办原因" rules={req('请填写重办原因')}>
        <Input.TextArea rows={2} />
      </Form.Item>
    ),
    merge: (
      <Form.Item name="targetId" label="合并到工单（编号ID）" rules={[{ required: true, message: '请填写目标工单ID' }]}>
        <InputNumber min={1} style={{ width: '100%' }} />
      </Form.Item>
    ),
    refer_110: (
      <Form.Item name="reason" label="转110原因">
        <Input />
      </Form.Item>
    ),
  };

  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={initial}
      onValuesChange={(_, all) => saveDraft(draftKey, all)}
      onFinish={async (v: Record<string, unknown>) => {
        setBusy(true);
        setError(undefined);
        try {
          const body = { ...v, action, version: wo.version, deadlineAt: isoOf(v.deadlineAt as string | undefined) };
          await api.post(`/api/work-orders/${wo.id}/transitions`, body);
          clearDraft(draftKey);
          message.success(`${ACTION_ZH[action] ?? action}成功`);
          onDone();
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      {fields[action]}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="action-error" />}
      <Button type="primary" htmlType="submit" loading={busy} data-testid={`do-${action}`}>
        {ACTION_ZH[action] ?? action}
      </Button>
    </Form>
  );
}

export function WorkOrderDrawer({ id, onClose, onChanged }: { id: number | null; onClose: () => void; onChanged: () => void }) {
  // Not refreshed by others' changes: the action forms carry the version this user read, so a
  // concurrent change is refused rather than silently built on.
  const wo = useApiQuery(keys.workOrder(id), () => (id ? api.get<WorkOrderDetail>(`/api/work-orders/${id}`) : Promise.resolve(undefined)));
  const history = useApiQuery(keys.workOrderHistory(id), () =>
    id ? api.get<HistoryEntry[]>(`/api/work-orders/${id}/history`) : Promise.resolve([]),
  );
  const related = useApiQuery(keys.workOrderRelated(id), () =>
    id ? api.get<RelatedCase[]>(`/api/work-orders/${id}/related`).catch(() => []) : Promise.resolve([]),
  );
  const w = wo.data;
  const actions = w?.allowedActions ?? [];
  return (
    <Drawer open={id != null} onClose={onClose} size="large" title={w ? `工单 ${w.number}` : '工单'} destroyOnHidden>
      {wo.error && <Alert type="error" showIcon title={wo.error} />}
      {w && (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          {w.piiMasked && (
            <Alert
              type="info"
              showIcon
              data-testid="pii-masked"
              title="来电人姓名、电话、地址已脱敏：仅受理、派单、承办、回访本工单的人员和值班长可查看。"
            />
          )}
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label="状态">
              <Tag color="blue">{w.stateName}</Tag>
              {w.emergency && <Tag color="red">紧急</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="期限">
              <DeadlineTag wo={w} />
            </Descriptions.Item>
            <Descriptions.Item label="来电人">{w.callerName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="电话">{w.callerPhone ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="地址" span={2}>
              {w.address ?? '—'}
            </Descriptions.Item>
            <Descriptions.Item label="诉求内容" span={2}>
              {w.description}
            </Descriptions.Item>
            <Descriptions.Item label="类别">{w.categoryName ?? '未分类'}</Descriptions.Item>
            <Descriptions.Item label="承办单位">{w.departmentName ?? '未派发'}</Descriptions.Item>
            {w.replyText && (
              <Descriptions.Item label="办理结果" span={2}>
                {w.replyText}
              </Descriptions.Item>
            )}
            {w.callbackOutcome && (
              <Descriptions.Item label="回访结果">{OUTCOME_ZH[w.callbackOutcome] ?? w.callbackOutcome}</Descriptions.Item>
            )}
          </Descriptions>
          <Tabs
            items={[
              {
                key: 'act',
                label: '办理',
                children: actions.length ? (
                  <Tabs
                    tabPlacement="start"
                    items={actions.map((a) => ({
                      key: a,
                      label: ACTION_ZH[a] ?? a,
                      children: (
                        <ActionForm
                          wo={w}
                          action={a}
                          onDone={() => {
                            wo.reload();
                            history.reload();
                            onChanged();
                          }}
                        />
                      ),
                    }))}
                  />
                ) : (
                  <Alert type="info" title="当前状态下您没有可执行的操作" />
                ),
              },
              {
                key: 'history',
                label: '办理记录',
                children: (
                  <Timeline
                    items={(history.data ?? []).map((h) => ({
                      content: `${dateTime(h.createdAt)} ${h.actorName ?? '系统'} ${ACTION_ZH[h.action] ?? h.action}${
                        h.data?.result || h.data?.reason || h.data?.note || h.data?.message
                          ? `：${String(h.data.result ?? h.data.reason ?? h.data.note ?? h.data.message)}`
                          : ''
                      }`,
                    }))}
                  />
                ),
              },
              {
                key: 'related',
                label: `相关工单 (${related.data?.length ?? 0})`,
                children: (related.data ?? []).map((r) => (
                  <p key={r.id}>
                    <Tag>{r.reason === 'same_phone' ? '同一来电人' : `相似 ${Math.round((r.similarity ?? 0) * 100)}%`}</Tag>
                    {r.number} {r.description.slice(0, 60)}
                  </p>
                )),
              },
            ]}
          />
        </Space>
      )}
    </Drawer>
  );
}
