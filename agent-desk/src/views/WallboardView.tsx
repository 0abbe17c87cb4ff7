import { useQueryClient } from '@tanstack/react-query';
import { Alert, Card, Col, List, Row, Statistic, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { Wallboard } from '../../../metrics/index.js';
import { api } from '../api.js';
import { Chart } from '../components/Chart.js';
import { dateTime, pct, seconds } from '../format.js';
import { useLiveEvents } from '../live.js';
import { keys, setApiData, useApiQuery } from '../queries.js';
import type { EmergencyAlert, EmergencyAlertResponse } from '../types.js';

const AGENT_LABELS: Record<string, string> = { available: '空闲', busy: '通话中', wrap_up: '话后处理', break: '小休', offline: '离线' };

function Kpi({
  title,
  value,
  suffix,
  testId,
  danger,
}: {
  title: string;
  value: string | number;
  suffix?: string;
  testId: string;
  danger?: boolean;
}) {
  return (
    <Card size="small" className="kpi">
      <Statistic
        title={title}
        value={value}
        suffix={suffix}
        styles={{ content: danger ? { color: '#cf1322' } : undefined }}
        data-testid={testId}
      />
    </Card>
  );
}

const LINE_COLOR: Record<string, string> = { '110': 'blue', '119': 'red', '120': 'green' };

/**
 * Emergency alerts on the floor, newest first: the server's latest on open, then live. A
 * transferred call is marked, so the supervisor sees which alerts still wait on an agent.
 */
function EmergencyAlerts() {
  const client = useQueryClient();
  // A resync asks for the server's latest again (queries.ts); a failed load shows none.
  const alerts =
    useApiQuery(keys.emergencyAlerts, () => api.get<EmergencyAlertResponse[]>('/api/emergency/alerts', { limit: 20 })).data ?? [];
  const [transferred, setTransferred] = useState<Map<number, string>>(new Map());
  useLiveEvents('emergency.', (e) => {
    const p = e.payload as EmergencyAlert;
    if (e.type === 'emergency.alert')
      setApiData<EmergencyAlertResponse[]>(client, keys.emergencyAlerts, (a) => [p, ...(a ?? [])].slice(0, 20));
    else if (e.type === 'emergency.transferred' && p.callId !== null) {
      setTransferred((m) => new Map(m).set(p.callId as number, p.line));
    }
  });
  return (
    <Card size="small" title="紧急警情" className={alerts.length ? 'emergency-card' : undefined}>
      <List
        size="small"
        data-testid="emergency-alerts"
        locale={{ emptyText: '暂无紧急警情' }}
        dataSource={alerts}
        renderItem={(a) => (
          <List.Item key={`${a.callId}-${a.segmentAt}`}>
            <Tag color={LINE_COLOR[a.line]}>{a.line}</Tag>
            <Typography.Text strong>{a.reason}</Typography.Text>
            <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
              {dateTime(new Date(a.segmentAt).toISOString())}
              {a.callId !== null && ` · 通话 ${a.callId}`}
              {a.text && ` · “${a.text.slice(0, 60)}”`}
            </Typography.Text>
            {a.callId !== null && transferred.has(a.callId) && <Tag color="success">已转接 {transferred.get(a.callId)}</Tag>}
          </List.Item>
        )}
      />
    </Card>
  );
}

/** 值班长: today's figures, live from the `metrics.wallboard` event (no reload needed). */
export function WallboardView() {
  const client = useQueryClient();
  // The longest wait grows between events; a slow refresh keeps it honest. A resync asks again (queries.ts).
  const board = useApiQuery(keys.wallboard, () => api.get<Wallboard>('/api/metrics/wallboard'), { refetchInterval: 30_000 });
  useLiveEvents('metrics.wallboard', (e) => setApiData<Wallboard>(client, keys.wallboard, () => e.payload as Wallboard));
  const { data: w, error } = board;

  if (!w) return error ? <Alert type="error" showIcon title={error} /> : null;
  const c = w.calls;
  const k = w.cases;
  const col = (n: number) => ({ xs: 12, md: 6, lg: n });
  return (
    <div data-testid="wallboard">
      {error && <Alert type="warning" showIcon title={`刷新失败：${error}`} style={{ marginBottom: 8 }} />}
      <Typography.Text type="secondary">更新于 {dateTime(w.at)}</Typography.Text>
      <div style={{ marginTop: 8 }}>
        <EmergencyAlerts />
      </div>
      <Row gutter={[12, 12]} style={{ marginTop: 8 }}>
        <Col {...col(3)}>
          <Kpi title="排队等待" value={w.queue.waiting} testId="kpi-waiting" danger={w.queue.waiting > 5} />
        </Col>
        <Col {...col(3)}>
          <Kpi title="最长等待" value={seconds(w.queue.longestWaitSeconds)} testId="kpi-longest" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="今日呼入" value={c.offered} testId="kpi-offered" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="接通" value={c.answered} testId="kpi-answered" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="放弃" value={c.abandoned} testId="kpi-abandoned" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="接通率" value={pct(c.answerRate)} testId="kpi-answer-rate" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="15秒接通率" value={pct(c.serviceLevel15s)} testId="kpi-sl" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="平均通话时长" value={seconds(c.avgHandlingSeconds)} testId="kpi-aht" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="今日新建工单" value={k.created} testId="kpi-created" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="今日派发" value={k.dispatched} testId="kpi-dispatched" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="今日办结" value={k.closed} testId="kpi-closed" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="当前超期" value={k.overdueNow} testId="kpi-overdue" danger={k.overdueNow > 0} />
        </Col>
        <Col {...col(3)}>
          <Kpi title="按时办结率" value={pct(k.onTimeRate)} testId="kpi-ontime" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="办结率" value={pct(k.resolutionRate)} testId="kpi-resolution" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="满意率" value={pct(k.satisfactionRate)} testId="kpi-satisfaction" />
        </Col>
        <Col {...col(3)}>
          <Kpi title="重办率" value={pct(k.reopenRate)} testId="kpi-reopen" />
        </Col>
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={12}>
          <Card size="small" title="坐席状态">
            {w.agents ? (
              <Chart
                height={220}
                option={{
                  tooltip: {},
                  series: [
                    {
                      type: 'pie',
                      radius: ['40%', '70%'],
                      data: Object.entries(w.agents).map(([s, v]) => ({ name: AGENT_LABELS[s] ?? s, value: v })),
                    },
                  ],
                }}
              />
            ) : (
              <Alert type="info" title="暂无坐席状态（话务模块尚未上报）" />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title="今日分时话务量">
            <Chart
              height={220}
              testId="chart-hourly"
              option={{
                tooltip: { trigger: 'axis' },
                legend: { data: ['呼入', '接通', '放弃'] },
                xAxis: { type: 'category', data: w.callsByHour.map((h) => `${h.hour}时`) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  { name: '呼入', type: 'bar', data: w.callsByHour.map((h) => h.offered) },
                  { name: '接通', type: 'bar', data: w.callsByHour.map((h) => h.answered) },
                  { name: '放弃', type: 'line', data: w.callsByHour.map((h) => h.abandoned) },
                ],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title="今日工单类别">
            <Chart
              height={240}
              option={{
                tooltip: {},
                series: [{ type: 'pie', radius: '65%', data: w.byCategory.map((b) => ({ name: b.name, value: b.created })) }],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title="今日承办单位">
            <Chart
              height={240}
              option={{
                tooltip: {},
                grid: { left: 100 },
                xAxis: { type: 'value', minInterval: 1 },
                yAxis: { type: 'category', data: w.byDepartment.map((b) => b.name) },
                series: [{ type: 'bar', data: w.byDepartment.map((b) => b.created) }],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title="近14日工单">
            <Chart
              height={240}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { data: ['新建', '办结'] },
                xAxis: { type: 'category', data: w.byDay.map((b) => b.key.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  { name: '新建', type: 'line', data: w.byDay.map((b) => b.created) },
                  { name: '办结', type: 'line', data: w.byDay.map((b) => b.closed) },
                ],
              }}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
