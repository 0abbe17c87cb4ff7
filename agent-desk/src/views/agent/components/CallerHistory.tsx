/** 来电人历史工单: the caller's earlier cases by the phone in the form. */
import { Card, List, Tag, Typography } from 'antd';
import { dateTime } from '../../../format.js';
import type { Loaded } from '../../../queries.js';
import type { WorkOrderPage } from '../../../types.js';

export function CallerHistory({ earlier, phoneQ }: { earlier: Loaded<WorkOrderPage | undefined>; phoneQ: string }) {
  return (
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
  );
}
