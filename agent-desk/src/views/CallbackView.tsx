import { Alert, App, Button, Space, Table, Tabs, Tag } from 'antd';
import { api, isMissingRoute } from '../api.js';
import { WorkOrderTable } from '../components/WorkOrderTable.js';
import { dateTime } from '../format.js';
import { useLoad } from '../hooks.js';
import { useLiveEvents, useResync } from '../live.js';

interface CallbackRow {
  id: number;
  workOrderId: number;
  workOrderNumber?: string;
  state: string;
  dueAt: string;
  attempts: number;
  claimedBy: number | null;
}

/**
 * 回访员: the due list from the callback queue (GET /api/callbacks) with claim, and the
 * cases waiting for their callback, where the outcome is recorded (结案 with 回访结果, or 重办).
 */
export function CallbackView() {
  const { message } = App.useApp();
  const due = useLoad(() => api.get<CallbackRow[] | { items: CallbackRow[] }>('/api/callbacks', { state: 'scheduled' }), []);
  useLiveEvents('callback', () => due.reload());
  useResync(due.reload);
  const rows = Array.isArray(due.data) ? due.data : (due.data?.items ?? []);
  return (
    <Tabs
      destroyOnHidden
      items={[
        {
          key: 'pending',
          label: '待回访工单',
          children: <WorkOrderTable filter={{ state: 'callback_pending' }} />,
        },
        {
          key: 'due',
          label: '回访队列',
          children: due.missing ? (
            <Alert type="warning" showIcon title="回访队列接口尚未提供（回访模块未安装）：请在“待回访工单”中记录回访结果。" />
          ) : (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {due.error && <Alert type="error" showIcon title={due.error} />}
              <Table<CallbackRow>
                rowKey="id"
                loading={due.loading}
                dataSource={rows}
                columns={[
                  { title: '工单', render: (_, r) => r.workOrderNumber ?? r.workOrderId },
                  { title: '应回访时间', dataIndex: 'dueAt', render: dateTime },
                  { title: '已拨打', dataIndex: 'attempts' },
                  { title: '状态', dataIndex: 'state', render: (s: string) => <Tag>{s}</Tag> },
                  {
                    title: '操作',
                    render: (_, r) => (
                      <Button
                        size="small"
                        onClick={async () => {
                          try {
                            await api.post(`/api/callbacks/${r.id}/claim`);
                            message.success('已领取');
                            due.reload();
                          } catch (err) {
                            message.error(isMissingRoute(err) ? '领取接口尚未提供' : (err as Error).message);
                          }
                        }}
                      >
                        领取
                      </Button>
                    ),
                  },
                ]}
              />
            </Space>
          ),
        },
      ]}
    />
  );
}
