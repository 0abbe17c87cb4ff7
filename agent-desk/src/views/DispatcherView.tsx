import { Tabs } from 'antd';
import { WorkOrderTable } from '../components/WorkOrderTable.js';

/** 派单员: the queue of submitted cases, returns, replies to review, overdue cases. */
export function DispatcherView() {
  return (
    <Tabs
      destroyOnHidden
      items={[
        { key: 'queue', label: '待派单', children: <WorkOrderTable filter={{ state: 'pending_dispatch' }} /> },
        { key: 'returned', label: '退单审核', children: <WorkOrderTable filter={{ state: 'returned' }} /> },
        { key: 'replied', label: '答复审核', children: <WorkOrderTable filter={{ state: 'replied' }} /> },
        { key: 'overdue', label: '超期督办', children: <WorkOrderTable filter={{ overdue: true }} /> },
        { key: 'all', label: '全部工单', children: <WorkOrderTable filter={{}} /> },
      ]}
    />
  );
}
