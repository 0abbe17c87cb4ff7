/** 实时转写: the call's segments as they are heard, the quoted words of a suggestion marked. */
import { Card, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { segmentKey } from '../../../intake.js';
import type { Transcript } from '../hooks/useTranscript.js';

export function TranscriptPanel({
  callId,
  transcript,
  intakeError,
}: {
  callId: number | null;
  transcript: Transcript;
  intakeError?: string;
}) {
  const { lines, mark } = transcript;
  const endRef = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when the transcript grows
  useEffect(() => {
    // A block body: current Chromium returns a Promise from scrollIntoView, and React would
    // call whatever an effect returns as its cleanup ("l is not a function" blanked the view).
    void endRef.current?.scrollIntoView({ block: 'nearest' });
  }, [lines.length]);

  return (
    <Card size="small" title="实时转写">
      <div className="transcript" data-testid="transcript" ref={transcript.containerRef}>
        {lines.length === 0 && <Typography.Text type="secondary">{callId ? '等待语音…' : '接听来电后显示通话转写'}</Typography.Text>}
        {lines.map((s) => {
          const key = segmentKey(s);
          const m = s.final && mark?.key === key && mark.end <= s.text.length ? mark : null;
          return (
            <div key={key} data-seg={key} className={`${s.leg}${s.final ? '' : ' partial'}${m ? ' quoted' : ''}`}>
              {s.leg === 'caller' ? '来电人：' : '坐席：'}
              {m ? (
                <>
                  {s.text.slice(0, m.start)}
                  <mark>{s.text.slice(m.start, m.end)}</mark>
                  {s.text.slice(m.end)}
                </>
              ) : (
                s.text
              )}
            </div>
          );
        })}
        <div ref={endRef} />
      </div>
      {intakeError && (
        <Typography.Text type="secondary" data-testid="intake-error">
          未能从通话中提取信息：{intakeError}
        </Typography.Text>
      )}
    </Card>
  );
}
