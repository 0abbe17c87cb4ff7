import { Badge, Button, Drawer, Layout, Menu, Result, Space, Spin, Typography } from 'antd';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, setUnauthorizedHandler } from './api.js';
import { AccountSecurityPanel } from './components/AccountSecurity.js';
import { ROLE_NAMES_ZH } from './format.js';
import { live, useLiveStatus } from './live.js';
import { queryClient, useLiveInvalidation } from './queries.js';
import { navigate, usePath } from './router.js';
import type { Role, User } from './types.js';
import { AdminView } from './views/AdminView.js';
import { AgentView } from './views/agent/index.js';
import { CallbackView } from './views/CallbackView.js';
import { DepartmentView } from './views/DepartmentView.js';
import { DispatcherView } from './views/DispatcherView.js';
import { LoginView } from './views/LoginView.js';
import { ReportView } from './views/ReportView.js';
import { WallboardView } from './views/WallboardView.js';

interface ViewSpec {
  path: string;
  label: string;
  roles: Role[];
  render: () => ReactNode;
}

/** The views, in menu order; a user lands on the first their role may open (admin: all). */
export const VIEWS: ViewSpec[] = [
  { path: '/agent', label: '话务受理', roles: ['agent'], render: () => <AgentView /> },
  { path: '/dispatch', label: '派单管理', roles: ['dispatcher'], render: () => <DispatcherView /> },
  { path: '/department', label: '承办工单', roles: ['handler'], render: () => <DepartmentView /> },
  { path: '/callback', label: '回访管理', roles: ['callback'], render: () => <CallbackView /> },
  { path: '/wallboard', label: '监控大屏', roles: ['supervisor'], render: () => <WallboardView /> },
  { path: '/report', label: '统计报表', roles: ['supervisor'], render: () => <ReportView /> },
  { path: '/admin', label: '系统管理', roles: ['supervisor'], render: () => <AdminView /> },
];

export const viewsFor = (role: Role) => VIEWS.filter((v) => role === 'admin' || v.roles.includes(role));

const SessionContext = createContext<User | null>(null);
export const useUser = () => {
  const u = useContext(SessionContext);
  if (!u) throw new Error('useUser outside a session');
  return u;
};

export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [accountOpen, setAccountOpen] = useState(false);
  const path = usePath();
  useLiveInvalidation();

  const loggedOut = useCallback(() => {
    live.stop();
    // The next user of this tab must not see what the last one was shown.
    queryClient.clear();
    setUser(null);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(loggedOut);
    api
      .get<User>('/api/me')
      .then(setUser)
      .catch(() => setUser(null));
  }, [loggedOut]);

  useEffect(() => {
    if (user) live.start();
  }, [user]);

  if (user === undefined) return <Spin size="large" style={{ display: 'block', marginTop: '30vh' }} />;
  if (user === null) {
    return (
      <LoginView
        onLogin={(u) => {
          setUser(u);
          const home = viewsFor(u.role)[0]?.path ?? '/';
          navigate(VIEWS.some((v) => v.path === path) && viewsFor(u.role).some((v) => v.path === path) ? path : home, true);
        }}
      />
    );
  }

  const mine = viewsFor(user.role);
  const current = mine.find((v) => v.path === path);
  if (!current && mine[0] && !VIEWS.some((v) => v.path === path)) {
    queueMicrotask(() => navigate(mine[0]!.path, true));
  }

  return (
    <SessionContext.Provider value={user}>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Sider width={180} theme="dark" breakpoint="lg" collapsedWidth={0}>
          <div style={{ color: '#fff', padding: '16px 20px', fontWeight: 600, fontSize: 16 }}>12345 热线</div>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[path]}
            items={mine.map((v) => ({ key: v.path, label: v.label }))}
            onClick={(e) => navigate(e.key)}
          />
        </Layout.Sider>
        <Layout>
          <Layout.Header className="desk-header">
            <Typography.Title level={4} style={{ margin: 0 }}>
              {current?.label ?? '12345 政务服务便民热线'}
            </Typography.Title>
            <Space size="large">
              <LiveBadge />
              <span data-testid="who">
                {user.displayName}（{ROLE_NAMES_ZH[user.role]}）
              </span>
              {/* Every role changes its own password here; admins also have 系统管理 → 账号安全. */}
              <Button data-testid="account-security" onClick={() => setAccountOpen(true)}>
                账号安全
              </Button>
              <Drawer title="账号安全" open={accountOpen} onClose={() => setAccountOpen(false)} size="large" destroyOnHidden>
                <AccountSecurityPanel />
              </Drawer>
              <Button
                onClick={async () => {
                  await api.post('/api/auth/logout').catch(() => {});
                  loggedOut();
                }}
              >
                退出登录
              </Button>
            </Space>
          </Layout.Header>
          <Layout.Content style={{ padding: 16 }}>
            {current ? (
              <div key={current.path}>{current.render()}</div>
            ) : (
              <Result status="403" title="无权访问" subTitle="您的角色不能打开此页面，请从左侧菜单选择。" />
            )}
          </Layout.Content>
        </Layout>
      </Layout>
    </SessionContext.Provider>
  );
}

function LiveBadge() {
  const status = useLiveStatus();
  const map = {
    open: ['success', '实时连接正常'],
    connecting: ['processing', '正在连接…'],
    closed: ['error', '连接中断，正在重连'],
  } as const;
  const [s, text] = map[status];
  return <Badge status={s} text={text} data-testid="live-status" />;
}
