/** 受理登记: the caller, the address, the request, its category and department, and the two ways to submit. */
import { Alert, Button, Card, Checkbox, Col, Form, Input, Row, Select, Space, TreeSelect, Typography } from 'antd';
import { unitTree } from '../../../hooks.js';
import type { Category, OrgUnit } from '../../../types.js';
import type { IntakeDraft } from '../hooks/useIntakeDraft.js';
import { PHONE } from '../hooks/useLookups.js';
import type { Chips } from './IntakeSuggestions.js';

export function IntakeForm(props: {
  draft: IntakeDraft;
  chips: Chips;
  callId: number | null;
  categories: Category[];
  units: OrgUnit[];
  busy: boolean;
  error?: string;
  onSubmit: (closeOnCall: boolean) => void;
}) {
  const { draft, chips, callId, categories, units, busy } = props;
  return (
    <Card size="small" title="受理登记">
      <Form
        key={draft.draftKey}
        form={draft.form}
        layout="vertical"
        initialValues={draft.initialValues}
        onValuesChange={draft.onValuesChange}
      >
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="callerName" label="来电人" extra={chips.name}>
              <Input maxLength={100} data-testid="caller-name" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="callerPhone" label="联系电话" rules={[{ pattern: PHONE, message: '电话号码格式不正确' }]} extra={chips.phone}>
              <Input maxLength={30} data-testid="caller-phone" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="address" label="地址" extra={chips.address}>
              <Input maxLength={500} data-testid="address" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item label="诉求类型" tooltip="从通话中听取，仅供参考：工单暂不记录此项" style={{ marginBottom: 8 }}>
              {chips.requestType || (
                <Typography.Text type="secondary">{callId ? '通话中听到后显示' : '接听来电后从通话中听取'}</Typography.Text>
              )}
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="anonymous" valuePropName="checked" label="匿名" extra={chips.anonymous} style={{ marginBottom: 8 }}>
              <Checkbox data-testid="anonymous">匿名受理（不登记姓名，承办单位看不到电话）</Checkbox>
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="description" label="诉求内容" rules={[{ required: true, whitespace: true, message: '请填写诉求内容' }]}>
          <Input.TextArea rows={4} maxLength={10000} showCount data-testid="description" />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="categoryId" label="事项类别">
              <Select
                allowClear
                showSearch
                optionFilterProp="label"
                data-testid="category"
                options={categories.map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="departmentId" label="承办单位">
              <TreeSelect allowClear treeData={unitTree(units)} showSearch treeNodeFilterProp="title" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="answer" label="现场答复（直接办结时填写）">
          <Input.TextArea rows={2} />
        </Form.Item>
        {props.error && <Alert type="error" showIcon title={props.error} style={{ marginBottom: 12 }} data-testid="submit-error" />}
        <Space>
          <Button type="primary" loading={busy} onClick={() => props.onSubmit(false)} data-testid="submit">
            提交派单 (Ctrl+Enter)
          </Button>
          <Button loading={busy} onClick={() => props.onSubmit(true)} data-testid="resolve">
            直接办结
          </Button>
        </Space>
      </Form>
    </Card>
  );
}
