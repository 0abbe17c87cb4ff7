/**
 * The classifier's proposal on the call panel: leaf categories as their place in the catalogue
 * (市容环境类 › 露天烧烤) with their probability and 采纳, the department and why it was picked
 * (按事项清单 / 按属地调整 / 参照派单员同类更正), and the keywords the text matched.
 */
import { Alert, Button, Card, List, Tag, Typography } from 'antd';
import type { Loaded } from '../queries.js';
import type { CategoryStep, ClassifyResult } from '../types.js';

/** The last two steps of a path: enough to tell 市容环境类 › 露天烧烤 from its siblings. */
export function shortPath(path: CategoryStep[], fallback: string): string {
  return path.length
    ? path
        .slice(-2)
        .map((s) => s.name)
        .join(' › ')
    : fallback;
}

export function departmentReason(r: ClassifyResult): string {
  switch (r.departmentSource) {
    case 'override':
      return r.place ? `按属地调整：${r.place.name}` : '按属地调整';
    case 'correction':
      return r.evidence.corrections > 0 ? `参照派单员同类更正 ${r.evidence.corrections} 条` : '参照派单员同类更正';
    case 'category':
      return '按事项清单';
    default:
      return '';
  }
}

const pColor = (p: number) => (p > 0.6 ? 'green' : p > 0.3 ? 'gold' : 'default');

export function ClassifyCard({ proposal, onAccept }: { proposal: Loaded<ClassifyResult | undefined>; onAccept: (code: string) => void }) {
  const r = proposal.data;
  const top = r?.top ?? [];
  return (
    <Card size="small" title="智能推荐" style={{ marginTop: 12 }}>
      {proposal.missing && <Alert type="warning" title="分类服务尚未提供" />}
      {proposal.error && !proposal.missing && <Alert type="error" title={proposal.error} />}
      {!top.length && !proposal.error && <Typography.Text type="secondary">填写诉求内容后显示推荐类别</Typography.Text>}
      <List
        size="small"
        dataSource={top}
        renderItem={(t) => (
          <List.Item
            actions={[
              <Button key="a" size="small" type="link" onClick={() => onAccept(t.category)} data-testid={`accept-${t.category}`}>
                采纳
              </Button>,
            ]}
          >
            <span data-testid="proposal" title={[...t.path.map((s) => s.name), t.category].join(' › ')}>
              <span data-testid="proposal-path">{shortPath(t.path, t.name ?? t.category)}</span>{' '}
              <Tag color={pColor(t.p)}>{(t.p * 100).toFixed(0)}%</Tag>
            </span>
          </List.Item>
        )}
      />
      {r && top.length > 0 && (
        <div className="classify-why">
          <div data-testid="proposal-department">
            {r.departmentName ? (
              <>
                推荐承办单位：<strong>{r.departmentName}</strong>
                {departmentReason(r) && <Typography.Text type="secondary">（{departmentReason(r)}）</Typography.Text>}
              </>
            ) : (
              <Typography.Text type="secondary">暂无推荐承办单位，请手工选择</Typography.Text>
            )}
          </div>
          {r.evidence.keywords.length > 0 && (
            <div data-testid="proposal-keywords">
              <Typography.Text type="secondary">依据：{r.evidence.keywords.join('、')}</Typography.Text>
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
