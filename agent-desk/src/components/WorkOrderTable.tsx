/** A page of work orders from GET /api/work-orders, filtered and paged on the server. */
import { Alert, Input, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../api.js';
import { dateTime } from '../format.js';
import { keys, useApiQuery } from '../queries.js';
import type { WorkOrder, WorkOrderPage } from '../types.js';
import { DeadlineTag, WorkOrderDrawer } from './WorkOrderDrawer.js';

export function WorkOrderTable({
  filter,
  showDepartment = true,
}: {
  filter: Record<string, string | boolean | number | undefined>;
  showDepartment?: boolean;
}) {
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const query = { ...filter, q, page, pageSize: 10, sort: 'createdAt', order: 'desc' };
  // Another user changed a case (workorder.* events) or the channel resynced: the list is asked
  // again (queries.ts), the server decides what this user sees.
  const list = useApiQuery(keys.workOrderList(query), () => api.get<WorkOrderPage>('/api/work-orders', query));
  if (list.missing) return <Alert type="warning" showIcon title="工单接口尚未提供（派单模块未安装）" />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Input.Search
        placeholder="按工单号、电话、内容或地址搜索"
        allowClear
        onSearch={(v) => {
          setQ(v);
          setPage(1);
        }}
        style={{ maxWidth: 360 }}
      />
      {list.error && <Alert type="error" showIcon title={list.error} />}
      <Table<WorkOrder>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
        pagination={{ current: page, pageSize: 10, total: list.data?.total ?? 0, onChange: setPage, showTotal: (t) => `共 ${t} 件` }}
        columns={[
          { title: '工单号', dataIndex: 'number', width: 170 },
          {
            title: '诉求内容',
            dataIndex: 'description',
            ellipsis: true,
            render: (d: string, r) => (
              <>
                {r.emergency && <Tag color="red">紧急</Tag>}
                {d}
              </>
            ),
          },
          { title: '类别', dataIndex: 'categoryName', width: 140, render: (v) => v ?? '未分类' },
          ...(showDepartment
            ? [{ title: '承办单位', dataIndex: 'departmentName', width: 140, render: (v: string | null) => v ?? '—' }]
            : []),
          { title: '状态', dataIndex: 'stateName', width: 90, render: (v: string) => <Tag color="blue">{v}</Tag> },
          { title: '期限', width: 170, render: (_: unknown, r: WorkOrder) => <DeadlineTag wo={r} /> },
          { title: '创建时间', dataIndex: 'createdAt', width: 150, render: dateTime },
        ]}
      />
      <WorkOrderDrawer id={open} onClose={() => setOpen(null)} onChanged={list.reload} />
    </Space>
  );
}
