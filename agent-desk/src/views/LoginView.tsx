import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { ApiError, api } from '../api.js';
import { ChangePasswordForm, TwoFactorSetup } from '../components/AccountSecurity.js';
import type { LoginResponse, LoginNext as Next, User } from '../types.js';

/** The login's refusals in the desk's words. */
function loginError(err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error).message;
  if (err.code === 'TWO_FACTOR_REQUIRED') return '请输入手机身份验证器上的6位动态码（或一个恢复码）。';
  if (err.code === 'TWO_FACTOR_INVALID') return '动态码错误或已使用，请输入验证器上当前的动态码。';
  if (err.status === 401) {
    const minutes = err.params.minutes ?? /try again in (\d+) min/.exec(err.serverMessage)?.[1];
    return minutes ? `用户名或密码错误。失败次数过多，请 ${minutes} 分钟后再试。` : '用户名或密码错误，请重新输入。';
  }
  // Other refusals (rate limit, a cross-site page, the server) speak for themselves.
  return err.message;
}

function Frame({ subtitle, children }: { subtitle: string; children: ReactNode }) {
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 420 }}>
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          12345 政务服务便民热线
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          {subtitle}
        </Typography.Paragraph>
        {children}
      </Card>
    </div>
  );
}

/**
 * The login and its last steps: the TOTP code once enrolled, the forced password change
 * (a first login with a generated or reset password), and the mandatory TOTP enrolment
 * where the site requires it. Until those are done the server refuses the session
 * everywhere else, so a reload lands here again.
 */
export function LoginView({ onLogin }: { onLogin: (u: User) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [askCode, setAskCode] = useState(false);
  const [step, setStep] = useState<{ next: Exclude<Next, null>; user: User; password: string }>();

  const proceed = (user: User, next: Next, password: string) => {
    if (next) setStep({ next, user, password });
    else onLogin(user);
  };

  if (step?.next === 'change_password') {
    return (
      <Frame subtitle="首次登录或密码已被重置，请设置新密码">
        <Alert type="info" showIcon title="为了账号安全，请先设置只有您自己知道的新密码。" style={{ marginBottom: 16 }} />
        <ChangePasswordForm user={step.user} currentPassword={step.password} onDone={(r) => proceed(r.user, r.next, '')} />
      </Frame>
    );
  }
  if (step?.next === 'enrol_two_factor') {
    return (
      <Frame subtitle="本站要求管理员和值班长启用双因素认证">
        <TwoFactorSetup password={step.password || undefined} onDone={onLogin} />
      </Frame>
    );
  }

  return (
    <Frame subtitle="坐席工作台 · 请登录">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
      <Form
        layout="vertical"
        onFinish={async (v: { username: string; password: string; code?: string }) => {
          setBusy(true);
          setError(undefined);
          try {
            const r = await api.post<LoginResponse>('/api/auth/login', {
              username: v.username,
              password: v.password,
              ...(v.code?.trim() ? { code: v.code.trim() } : {}),
            });
            proceed(r.user, r.next ?? null, v.password);
          } catch (err) {
            if (err instanceof ApiError && (err.code === 'TWO_FACTOR_REQUIRED' || err.code === 'TWO_FACTOR_INVALID')) setAskCode(true);
            setError(loginError(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }]}>
          <Input autoFocus autoComplete="username" />
        </Form.Item>
        <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {askCode && (
          <Form.Item name="code" label="动态码" rules={[{ required: true, message: '请输入动态码或恢复码' }]}>
            <Input autoFocus inputMode="numeric" autoComplete="one-time-code" maxLength={11} data-testid="login-code" />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" block loading={busy}>
          登录
        </Button>
      </Form>
    </Frame>
  );
}
