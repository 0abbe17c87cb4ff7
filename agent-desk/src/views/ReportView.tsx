import { Alert, App, Button, Card, Col, Form, Input, Row, Space, Statistic, Table } from 'antd';
import { useState } from 'react';
import type { Breakdown, Report } from '../../../metrics/index.js';
import { api, download } from '../api.js';
import { useDraft } from '../drafts.js';
import { pct, seconds } from '../format.js';

const today = () => new Date().toLocaleDateString('sv-SE');
const monthStart = () => `${today().slice(0, 8)}01`;

function BreakdownTable({ rows, title }: { rows: Breakdown[]; title: string }) {
  return (
    <Table<Breakdown>
      size="small"
      rowKey="key"
      title={() => title}
      dataSource={rows}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      columns={[
        { title: '名称', dataIndex: 'name' },
        { title: '新建', dataIndex: 'created' },
        { title: '办结', dataIndex: 'closed' },
        { title: '当前超期', dataIndex: 'overdueNow' },
        { title: '按时办结率', dataIndex: 'onTimeRate', render: pct },
        { title: '满意率', dataIndex: 'satisfactionRate', render: pct },
      ]}
    />
  );
}

/** 统计报表: figures for a chosen period, exported as CSV or XLSX by the server. */
export function ReportView() {
  const { message } = App.useApp();
  const [period, setPeriod] = useDraft('report.period', { from: monthStart(), to: today() });
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();

  const run = async (what: 'view' | 'csv' | 'xlsx') => {
    setBusy(what);
    setError(undefined);
    try {
      if (what === 'view') setReport(await api.get<Report>('/api/metrics/report', period));
      else {
        await download(`/api/metrics/report.${what}`, period, `12345热线报表_${period.from}_${period.to}.${what}`);
        message.success('报表已导出');
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Card size="small">
        <Form layout="inline" onFinish={() => run('view')}>
          <Form.Item label="开始日期">
            <Input
              type="date"
              value={period.from}
              onChange={(e) => setPeriod({ ...period, from: e.target.value })}
              data-testid="report-from"
            />
          </Form.Item>
          <Form.Item label="结束日期">
            <Input type="date" value={period.to} onChange={(e) => setPeriod({ ...period, to: e.target.value })} data-testid="report-to" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy === 'view'}>
              查询
            </Button>
            <Button onClick={() => run('csv')} loading={busy === 'csv'}>
              导出 CSV
            </Button>
            <Button onClick={() => run('xlsx')} loading={busy === 'xlsx'}>
              导出 Excel
            </Button>
          </Space>
        </Form>
      </Card>
      {error && <Alert type="error" showIcon title={error} data-testid="report-error" />}
      {report && (
        <>
          <Row gutter={[12, 12]}>
            {(
              [
                ['呼入总量', report.calls.offered],
                ['接通率', pct(report.calls.answerRate)],
                ['15秒接通率', pct(report.calls.serviceLevel15s)],
                ['平均通话时长', seconds(report.calls.avgHandlingSeconds)],
                ['新建工单', report.cases.created],
                ['办结工单', report.cases.closed],
                ['按时办结率', pct(report.cases.onTimeRate)],
                ['办结率', pct(report.cases.resolutionRate)],
                ['满意率', pct(report.cases.satisfactionRate)],
                ['重办率', pct(report.cases.reopenRate)],
              ] as const
            ).map(([t, v]) => (
              <Col key={t} xs={12} md={6} lg={4}>
                <Card size="small">
                  <Statistic title={t} value={v} />
                </Card>
              </Col>
            ))}
          </Row>
          <BreakdownTable title="按日" rows={report.byDay} />
          <BreakdownTable title="按类别" rows={report.byCategory} />
          <BreakdownTable title="按承办单位" rows={report.byDepartment} />
        </>
      )}
    </Space>
  );
}
