/**
 * 系统管理: users and roles, the organisation tree, categories and the routing catalogue,
 * holidays, emergency rules and classifier model versions. Each tab talks to its module's
 * API and shows that module's refusal (or that it is not installed) as it comes.
 */
import { Alert, App, Button, Form, Input, InputNumber, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Tree } from 'antd';
import { useState } from 'react';
import { checkPassword, PASSWORD_RULE_ZH } from '../../../auth/browser.js';
import { api } from '../api.js';
import { AccountSecurityPanel, type User as AccountUser, errorText } from '../components/AccountSecurity.js';
import { ResetPasswordButton } from '../components/UserAdmin.js';
import { clearDraft, loadDraft, saveDraft } from '../drafts.js';
import { dateTime, ROLE_NAMES_ZH } from '../format.js';
import { unitTree, useCatalogue } from '../hooks.js';
import { keys, type Loaded, useApiQuery } from '../queries.js';
import type {
  CalendarDayView,
  Category,
  EmergencyRuleResponse,
  ModelSwitch,
  ModelVersionResponse,
  OrgUnit,
  RoutingOverrideView,
} from '../types.js';

function Status({ loaded, what }: { loaded: Loaded<unknown>; what: string }) {
  if (loaded.missing) return <Alert type="warning" showIcon title={`${what}接口尚未提供（相应模块未安装）`} />;
  if (loaded.error) return <Alert type="error" showIcon title={loaded.error} />;
  return null;
}

/** A create form whose typed values survive a refusal or a reload, and show the server's message. */
function CreateForm<T extends object>({
  draftKey,
  submit,
  children,
  label = '新增',
}: {
  draftKey: string;
  submit: (v: T) => Promise<unknown>;
  children: React.ReactNode;
  label?: string;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <Form
      form={form}
      layout="inline"
      initialValues={loadDraft(draftKey) ?? {}}
      onValuesChange={(_, all) => saveDraft(draftKey, all)}
      onFinish={async (v: T) => {
        setBusy(true);
        setError(undefined);
        try {
          await submit(v);
          clearDraft(draftKey);
          form.resetFields();
          message.success('已保存');
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
      style={{ rowGap: 8, marginBottom: 12 }}
    >
      {children}
      <Button type="primary" htmlType="submit" loading={busy} data-testid={`${draftKey}-submit`}>
        {label}
      </Button>
      {error && <Alert type="error" showIcon title={error} style={{ width: '100%', marginTop: 8 }} data-testid={`${draftKey}-error`} />}
    </Form>
  );
}

function UsersTab({ me }: { me?: AccountUser }) {
  const { message } = App.useApp();
  const users = useApiQuery(keys.users, () => api.get<AccountUser[]>('/api/users'));
  const { units } = useCatalogue();
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const isAdmin = me?.role === 'admin';
  const act = async (u: AccountUser, path: string, done: string) => {
    try {
      await api.post(`/api/users/${u.id}/${path}`);
      message.success(done);
      users.reload();
    } catch (err) {
      message.error(errorText(err));
    }
  };
  return (
    <>
      <CreateForm
        draftKey="admin.user"
        label="新增用户"
        submit={async (v) => {
          await api.post('/api/users', v);
          users.reload();
        }}
      >
        <Form.Item
          name="username"
          rules={[
            { required: true, message: '请输入用户名' },
            { pattern: /^[A-Za-z0-9_.-]{2,64}$/, message: '2-64位字母、数字或 . _ -' },
          ]}
        >
          <Input placeholder="用户名" data-testid="new-username" />
        </Form.Item>
        <Form.Item name="displayName">
          <Input placeholder="姓名" />
        </Form.Item>
        <Form.Item
          name="password"
          dependencies={['username', 'role']}
          rules={[
            { required: true, message: '请输入初始密码' },
            ({ getFieldValue }) => ({
              validator: async (_r, value: string | undefined) => {
                const v = value
                  ? checkPassword(value, { username: getFieldValue('username') ?? '', role: getFieldValue('role') ?? 'admin' })
                  : undefined;
                if (v) throw new Error(PASSWORD_RULE_ZH[v.rule]);
              },
            }),
          ]}
        >
          <Input.Password placeholder="初始密码（首次登录须修改）" data-testid="new-password" autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="role" rules={[{ required: true, message: '请选择角色' }]}>
          <Select
            placeholder="角色"
            style={{ width: 120 }}
            data-testid="new-role"
            options={Object.entries(ROLE_NAMES_ZH).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item name="orgUnitCode">
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder="所属单位"
            style={{ width: 180 }}
            options={units.map((u) => ({ value: u.code, label: u.name }))}
          />
        </Form.Item>
      </CreateForm>
      <Status loaded={users} what="用户" />
      <Table<AccountUser>
        rowKey="id"
        size="small"
        dataSource={users.data ?? []}
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', dataIndex: 'role', render: (r: keyof typeof ROLE_NAMES_ZH) => <Tag>{ROLE_NAMES_ZH[r]}</Tag> },
          { title: '所属单位', dataIndex: 'orgUnitId', render: (id: number | null) => (id ? unitName.get(id) : '—') },
          {
            title: '状态',
            key: 'state',
            render: (_: unknown, u) => (
              <Space size={4} wrap data-testid={`user-state-${u.username}`}>
                {u.active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>}
                {u.lockedUntil && <Tag color="red">已锁定至 {dateTime(u.lockedUntil)}</Tag>}
                {u.mustChangePassword && <Tag color="orange">待改密</Tag>}
                {u.twoFactor && <Tag color="blue">双因素</Tag>}
                {u.demo && <Tag color="purple">演示账号</Tag>}
              </Space>
            ),
          },
          ...(isAdmin
            ? [
                {
                  title: '操作',
                  key: 'actions',
                  render: (_: unknown, u: AccountUser) => (
                    <Space size={4} wrap>
                      <ResetPasswordButton user={u} onDone={users.reload} />
                      {u.lockedUntil && (
                        <Button size="small" onClick={() => act(u, 'unlock', '已解锁')} data-testid={`unlock-${u.username}`}>
                          解锁
                        </Button>
                      )}
                      {u.twoFactor && (
                        <Popconfirm
                          title="移除该用户的双因素认证？其须重新设置。"
                          onConfirm={() => act(u, 'two-factor/reset', '已移除双因素认证')}
                        >
                          <Button size="small">重置双因素</Button>
                        </Popconfirm>
                      )}
                      {u.id !== me?.id &&
                        (u.active ? (
                          <Popconfirm title="停用后该用户立即退出且不能登录，确定？" onConfirm={() => act(u, 'disable', '已停用')}>
                            <Button size="small" danger data-testid={`disable-${u.username}`}>
                              停用
                            </Button>
                          </Popconfirm>
                        ) : (
                          <Button size="small" onClick={() => act(u, 'enable', '已启用')} data-testid={`enable-${u.username}`}>
                            启用
                          </Button>
                        ))}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

function OrgTab() {
  const { units } = useCatalogue();
  const tree = unitTree(units);
  type TreeNode = { key: number; title: string; children: TreeNode[] };
  const toTree = (n: ReturnType<typeof unitTree>): TreeNode[] =>
    n.map((x) => ({ key: x.value, title: x.title, children: toTree(x.children) }));
  return units.length ? <Tree treeData={toTree(tree)} defaultExpandAll /> : <Alert type="info" title="暂无组织机构" />;
}

function CategoriesTab() {
  const cats = useApiQuery(keys.categories, () => api.get<Category[]>('/api/categories'));
  const overrides = useApiQuery(keys.routingOverrides, () => api.get<RoutingOverrideView[]>('/api/routing/overrides'));
  const { units } = useCatalogue();
  const unitName = new Map(units.map((u: OrgUnit) => [u.id, u.name]));
  const catName = new Map((cats.data ?? []).map((c) => [c.id, c.name]));
  return (
    <>
      <Status loaded={cats} what="类别" />
      <Table<Category>
        rowKey="id"
        size="small"
        dataSource={cats.data ?? []}
        pagination={{ pageSize: 15 }}
        columns={[
          { title: '编码', dataIndex: 'code', width: 100 },
          { title: '名称', dataIndex: 'name' },
          { title: '层级', dataIndex: 'level', width: 60 },
          { title: '默认承办单位', dataIndex: 'defaultDepartmentId', render: (id: number | null) => (id ? unitName.get(id) : '—') },
          {
            title: '办理时限',
            render: (_, c) => (c.deadlineValue ? `${c.deadlineValue}${c.deadlineUnit === 'hours' ? '小时' : '个工作日'}` : '—'),
          },
        ]}
      />
      <h4>属地派单规则（事项清单例外）</h4>
      <Status loaded={overrides} what="派单规则" />
      <Table<RoutingOverrideView>
        rowKey="id"
        size="small"
        dataSource={overrides.data ?? []}
        columns={[
          { title: '类别', dataIndex: 'categoryId', render: (id: number) => catName.get(id) ?? id },
          { title: '属地', dataIndex: 'placeUnitId', render: (id: number) => unitName.get(id) ?? id },
          { title: '承办单位', dataIndex: 'departmentId', render: (id: number) => unitName.get(id) ?? id },
          { title: '说明', dataIndex: 'note' },
        ]}
      />
    </>
  );
}

function HolidaysTab() {
  const { message } = App.useApp();
  const [year, setYear] = useState(new Date().getFullYear());
  const days = useApiQuery(keys.calendar(year), () => api.get<CalendarDayView[]>(`/api/calendar/${year}`));
  const save = async (next: CalendarDayView[]) => {
    try {
      await api.put(`/api/calendar/${year}`, { days: next });
      message.success('已保存');
      days.reload();
    } catch (err) {
      message.error((err as Error).message);
    }
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        年份 <InputNumber min={2000} max={2100} value={year} onChange={(v) => v && setYear(v)} />
      </Space>
      <CreateForm<CalendarDayView>
        draftKey="admin.holiday"
        label="添加"
        submit={(v) => save([...(days.data ?? []).filter((d) => d.day !== v.day), v])}
      >
        <Form.Item name="day" rules={[{ required: true, message: '请选择日期' }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="kind" rules={[{ required: true, message: '请选择类型' }]}>
          <Select
            style={{ width: 120 }}
            placeholder="类型"
            options={[
              { value: 'holiday', label: '节假日' },
              { value: 'workday', label: '调休上班' },
            ]}
          />
        </Form.Item>
        <Form.Item name="name">
          <Input placeholder="名称，如 春节" />
        </Form.Item>
      </CreateForm>
      <Status loaded={days} what="节假日" />
      <Table<CalendarDayView>
        rowKey="day"
        size="small"
        dataSource={days.data ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: '日期', dataIndex: 'day' },
          {
            title: '类型',
            dataIndex: 'kind',
            render: (k: string) => (k === 'holiday' ? <Tag color="red">节假日</Tag> : <Tag>调休上班</Tag>),
          },
          { title: '名称', dataIndex: 'name' },
          {
            title: '',
            render: (_, d) => (
              <Popconfirm title="删除这一天？" onConfirm={() => save((days.data ?? []).filter((x) => x.day !== d.day))}>
                <Button size="small" danger>
                  删除
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </>
  );
}

function EmergencyTab() {
  const { message } = App.useApp();
  const rules = useApiQuery(keys.emergencyRules, () => api.get<EmergencyRuleResponse[]>('/api/classifier/emergency-rules'));
  return (
    <>
      <CreateForm<Record<string, unknown>>
        draftKey="admin.rule"
        label="新增规则"
        submit={async (v) => {
          await api.post('/api/classifier/emergency-rules', v);
          rules.reload();
        }}
      >
        <Form.Item name="pattern" rules={[{ required: true, message: '请输入关键词或正则' }]}>
          <Input placeholder="关键词，如 着火" />
        </Form.Item>
        <Form.Item name="kind" initialValue="keyword">
          <Select
            style={{ width: 100 }}
            options={[
              { value: 'keyword', label: '关键词' },
              { value: 'regex', label: '正则' },
            ]}
          />
        </Form.Item>
        <Form.Item name="line" rules={[{ required: true, message: '请选择转接线路' }]}>
          <Select placeholder="线路" style={{ width: 90 }} options={['110', '119', '120'].map((l) => ({ value: l, label: l }))} />
        </Form.Item>
        <Form.Item name="reason" rules={[{ required: true, message: '请输入原因' }]}>
          <Input placeholder="原因，如 火灾" />
        </Form.Item>
      </CreateForm>
      <Status loaded={rules} what="紧急规则" />
      <Table<EmergencyRuleResponse>
        rowKey="id"
        size="small"
        dataSource={rules.data ?? []}
        columns={[
          { title: '规则', dataIndex: 'pattern' },
          { title: '类型', dataIndex: 'kind', render: (k: string) => (k === 'regex' ? '正则' : '关键词') },
          { title: '线路', dataIndex: 'line', render: (l: string) => <Tag color="red">{l}</Tag> },
          { title: '原因', dataIndex: 'reason' },
          {
            title: '启用',
            dataIndex: 'active',
            render: (a: boolean, r) => (
              <Switch
                checked={a}
                onChange={async (on) => {
                  try {
                    await api.patch(`/api/classifier/emergency-rules/${r.id}`, { active: on });
                    rules.reload();
                  } catch (err) {
                    message.error((err as Error).message);
                  }
                }}
              />
            ),
          },
        ]}
      />
    </>
  );
}

function ModelsTab() {
  const { message } = App.useApp();
  const models = useApiQuery(keys.classifierModels, () => api.get<ModelVersionResponse[]>('/api/classifier/models'));
  const act = async (path: string, body?: unknown) => {
    try {
      const r = await api.post<ModelSwitch>(path, body);
      message.success(r.changed ? `当前模型：${r.version}` : '模型未变化');
      models.reload();
    } catch (err) {
      message.error((err as Error).message);
    }
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Popconfirm title="回滚到上一个模型版本？" onConfirm={() => act('/api/classifier/rollback')}>
          <Button>回滚</Button>
        </Popconfirm>
      </Space>
      <Status loaded={models} what="模型版本" />
      <Table<ModelVersionResponse>
        rowKey="version"
        size="small"
        dataSource={models.data ?? []}
        columns={[
          { title: '版本', dataIndex: 'version', render: (v: string, m) => (m.active ? <Tag color="green">{v} 当前</Tag> : v) },
          { title: '准确率', render: (_, m) => (m.metrics.all ? `${(m.metrics.all.accuracy * 100).toFixed(1)}%` : '—') },
          { title: '宏F1', render: (_, m) => (m.metrics.all ? m.metrics.all.macroF1.toFixed(3) : '—') },
          { title: '样本数', render: (_, m) => m.metrics.all?.n ?? '—' },
          { title: '创建时间', dataIndex: 'createdAt', render: (t: unknown) => dateTime(typeof t === 'string' ? t : null) },
          {
            title: '',
            render: (_, m) =>
              !m.active && (
                <Popconfirm
                  title={`启用 ${m.version}？`}
                  onConfirm={() => act(`/api/classifier/models/${encodeURIComponent(m.version)}/promote`, {})}
                >
                  <Button size="small">启用</Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </>
  );
}

export function AdminView() {
  const me = useApiQuery(keys.me, () => api.get<AccountUser>('/api/me'));
  const [tab, setTab] = useState('users');
  // 等保 2.0 level 3 asks for two factors for administrators: the desk keeps asking until they enrol.
  const prompt = me.data && (me.data.role === 'admin' || me.data.role === 'supervisor') && !me.data.twoFactor;
  return (
    <>
      {prompt && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="two-factor-prompt"
          title="您的账号尚未启用双因素认证"
          description="管理员和值班长账号可管理全部用户和数据，建议立即启用双因素认证（手机身份验证器动态码）。"
          action={
            <Button size="small" type="primary" onClick={() => setTab('account')}>
              去启用
            </Button>
          }
        />
      )}
      <AdminTabs tab={tab} setTab={setTab} me={me.data} onAccountChanged={me.reload} />
    </>
  );
}

function AdminTabs({
  tab,
  setTab,
  me,
  onAccountChanged,
}: {
  tab: string;
  setTab: (t: string) => void;
  me?: AccountUser;
  onAccountChanged: () => void;
}) {
  return (
    <Tabs
      destroyOnHidden
      activeKey={tab}
      onChange={setTab}
      items={[
        { key: 'users', label: '用户与角色', children: <UsersTab me={me} /> },
        { key: 'org', label: '组织机构', children: <OrgTab /> },
        { key: 'categories', label: '类别与派单规则', children: <CategoriesTab /> },
        { key: 'holidays', label: '节假日', children: <HolidaysTab /> },
        { key: 'emergency', label: '紧急规则', children: <EmergencyTab /> },
        { key: 'models', label: '模型版本', children: <ModelsTab /> },
        { key: 'account', label: '账号安全', children: <AccountSecurityPanel onChanged={onAccountChanged} /> },
      ]}
    />
  );
}
