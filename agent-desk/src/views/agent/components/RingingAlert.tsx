import { Alert, Button } from 'antd';

export function RingingAlert({ callId, onAnswer }: { callId: number; onAnswer: () => void }) {
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="ringing"
      title={<strong>来电振铃中（#{callId}）</strong>}
      action={
        <Button type="primary" size="large" onClick={onAnswer} data-testid="answer">
          接听 (F2)
        </Button>
      }
    />
  );
}
