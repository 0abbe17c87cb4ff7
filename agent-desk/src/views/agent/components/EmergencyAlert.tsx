/** 紧急警情: why (the words the caller said, or the model's verdict) and 一键转接. */
import { Alert, Button } from 'antd';
import type { Emergency } from '../hooks/useEmergency.js';
import type { LiveAlert } from '../types.js';

export function EmergencyAlert(props: {
  emergency: Emergency;
  liveAlert: LiveAlert | null;
  transferredTo: string | null;
  onTransfer: () => void;
}) {
  const { emergency, liveAlert, transferredTo } = props;
  return (
    <Alert
      type="error"
      showIcon
      data-testid="emergency"
      title={<strong>紧急警情：{emergency.reason ?? '请立即转接'}</strong>}
      description={
        liveAlert && (
          <span data-testid="emergency-words">
            {liveAlert.matched.length ? `触发词：${liveAlert.matched.join('、')}` : '模型判断'}
            {liveAlert.text && `　来电人说：“${liveAlert.text}”`}
          </span>
        )
      }
      action={
        <Button danger type="primary" size="large" onClick={props.onTransfer} disabled={!!transferredTo} data-testid="transfer">
          {transferredTo ? `已转接 ${transferredTo}` : `一键转接 ${emergency.line}`}
        </Button>
      }
    />
  );
}
