/** 坐席状态 with the call in progress and its 挂断. */
import { Alert, Button, Card, Segmented, Space, Tag, Typography } from 'antd';
import { AGENT_STATE_ZH } from '../../../format.js';
import type { Loaded } from '../../../queries.js';
import type { AgentState } from '../types.js';

const STATES = ['available', 'on_call', 'after_call', 'paused'];

export function PhoneBar(props: {
  phone: Loaded<AgentState>;
  onState: (state: string) => void;
  callId: number | null;
  ended: boolean;
  onHangup: () => void;
}) {
  const { phone, callId, ended } = props;
  return (
    <Card size="small">
      <Space wrap>
        <Typography.Text strong>坐席状态：</Typography.Text>
        {phone.missing ? (
          <Alert type="warning" showIcon title="话务接口尚未提供（话务模块未安装），可手工受理工单" />
        ) : (
          <Segmented
            data-testid="agent-state"
            value={phone.data?.state ?? 'offline'}
            onChange={(s) => props.onState(String(s))}
            options={STATES.map((s) => ({ value: s, label: AGENT_STATE_ZH[s], disabled: s === 'on_call' }))}
          />
        )}
        {callId && (
          <>
            <Tag color={ended ? 'default' : 'green'}>{ended ? '通话已结束' : `通话中 #${callId}`}</Tag>
            <Button danger onClick={props.onHangup} disabled={ended} data-testid="hangup">
              挂断 (F4)
            </Button>
          </>
        )}
        <Typography.Text type="secondary">快捷键：F2 接听 · F4 挂断 · Ctrl+Enter 提交</Typography.Text>
      </Space>
    </Card>
  );
}
