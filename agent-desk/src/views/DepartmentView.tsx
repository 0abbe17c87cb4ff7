import { Tabs } from 'antd';
import { WorkOrderTable } from '../components/WorkOrderTable.js';

/** 承办单位: the unit's inbox (the server shows a handler only their unit's cases). */
export function DepartmentView() {
  return (
    <Tabs
      destroyOnHidden
      items={[
        { key: 'new', label: '待签收', children: <WorkOrderTable filter={{ state: 'dispatched' }} showDepartment={false} /> },
        { key: 'doing', label: '办理中', children: <WorkOrderTable filter={{ state: 'in_progress' }} showDepartment={false} /> },
        { key: 'near', label: '临期', children: <WorkOrderTable filter={{ nearDeadline: true }} showDepartment={false} /> },
        { key: 'overdue', label: '已超期', children: <WorkOrderTable filter={{ overdue: true }} showDepartment={false} /> },
        { key: 'all', label: '全部', children: <WorkOrderTable filter={{}} showDepartment={false} /> },
      ]}
    />
  );
}
