/** 知识库: policies and service guides the agent reads out. */
import { Card, Input, List, Typography } from 'antd';
import type { Loaded } from '../../../queries.js';
import type { KnowledgeArticle } from '../types.js';

export function KnowledgePanel({ articles, onSearch }: { articles: Loaded<KnowledgeArticle[]>; onSearch: (q: string) => void }) {
  return (
    <Card size="small" title="知识库">
      <Input.Search placeholder="搜索政策、办事指南" onSearch={onSearch} allowClear />
      {articles.missing && <Typography.Text type="secondary">知识库接口尚未提供</Typography.Text>}
      <List
        size="small"
        dataSource={articles.data ?? []}
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
  );
}
