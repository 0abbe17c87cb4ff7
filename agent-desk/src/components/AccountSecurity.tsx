/**
 * 账号安全: changing one's password (also the forced change after a first login or an
 * admin's reset) and two-factor login (TOTP) with its recovery codes. The password rules
 * are the server's own (auth/password-policy.ts), checked as the user types.
 */
import { Alert, Button, Card, Form, Input, List, Space, Tag, Typography } from 'antd';
import type { Rule } from 'antd/es/form/index.js';
import { useState } from 'react';
import { checkPassword, PASSWORD_RULE_ZH, type PasswordRule } from '../../../auth/browser.js';
import { ApiError, api } from '../api.js';
import { keys, useApiQuery } from '../queries.js';
import type { LoginResponse, User } from '../types.js';

/** A user as the auth routes answer it. */
export type { User };

/** A refusal in the desk's words: a weak password names its rule in Chinese. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const rule = (err.details as { rule?: string } | undefined)?.rule;
    if (err.code === 'WEAK_PASSWORD' && rule === 'same') return '新密码不能与当前密码相同。';
    if (err.code === 'WEAK_PASSWORD' && rule && rule in PASSWORD_RULE_ZH) return PASSWORD_RULE_ZH[rule as PasswordRule];
    if (err.code === 'WRONG_PASSWORD') return '当前密码错误，请重新输入。';
    if (err.code === 'TWO_FACTOR_INVALID') return '动态码错误或已使用，请输入验证器上当前的动态码。';
  }
  return (err as Error).message;
}

/** Form rules for a new password of `user`. */
export const newPasswordRules = (user: Pick<User, 'username' | 'role'>): Rule[] => [
  { required: true, message: '请输入新密码' },
  {
    validator: async (_r, value: string | undefined) => {
      const v = value ? checkPassword(value, user) : undefined;
      if (v) throw new Error(PASSWORD_RULE_ZH[v.rule]);
    },
  },
];

/** New password twice; `currentPassword` given = the forced change right after the login. */
export function ChangePasswordForm({
  user,
  currentPassword,
  onDone,
}: {
  user: Pick<User, 'username' | 'role'>;
  currentPassword?: string;
  onDone: (r: LoginResponse) => void;
}) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  return (
    <Form
      form={form}
      name="change-password"
      layout="vertical"
      onFinish={async (v: { current?: string; password: string }) => {
        setBusy(true);
        setError(undefined);
        try {
          const r = await api.post<LoginResponse>('/api/auth/password', {
            currentPassword: currentPassword ?? v.current,
            newPassword: v.password,
          });
          form.resetFields();
          onDone(r);
        } catch (err) {
          setError(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      {currentPassword === undefined && (
        <Form.Item name="current" label="当前密码" rules={[{ required: true, message: '请输入当前密码' }]}>
          <Input.Password autoComplete="current-password" data-testid="current-password" />
        </Form.Item>
      )}
      <Form.Item name="password" label="新密码" rules={newPasswordRules(user)} hasFeedback>
        <Input.Password autoComplete="new-password" data-testid="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label="确认新密码"
        dependencies={['password']}
        rules={[
          { required: true, message: '请再次输入新密码' },
          ({ getFieldValue }) => ({
            validator: async (_r, value) => {
              if (value && value !== getFieldValue('password')) throw new Error('两次输入的密码不一致');
            },
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" data-testid="confirm-password" />
      </Form.Item>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="password-error" />}
      <Button type="primary" htmlType="submit" loading={busy} block={currentPassword !== undefined} data-testid="change-password-submit">
        修改密码
      </Button>
    </Form>
  );
}

/** Secret in groups of four, as authenticator apps ask for it when typed in by hand. */
const grouped = (s: string) => s.replace(/(.{4})/g, '$1 ').trim();

/** Enrolment: a new secret (URI and base32), a code to confirm it, then the recovery codes once. */
export function TwoFactorSetup({ password, onDone }: { password?: string; onDone: (u: User) => void }) {
  const [secret, setSecret] = useState<{ secret: string; uri: string }>();
  const [codes, setCodes] = useState<{ user: User; recoveryCodes: string[] }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const errorBox = error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="totp-error" />;

  if (codes) {
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert
          type="success"
          showIcon
          title="双因素认证已启用"
          description="以下恢复码每个只能使用一次，手机丢失时可代替动态码登录。请立即抄写或打印并妥善保管，关闭后将不再显示。"
        />
        <List
          size="small"
          bordered
          dataSource={codes.recoveryCodes}
          renderItem={(c) => (
            <List.Item>
              <Typography.Text code copyable data-testid="recovery-code">
                {c}
              </Typography.Text>
            </List.Item>
          )}
        />
        <Button type="primary" block onClick={() => onDone(codes.user)} data-testid="totp-done">
          我已保存恢复码
        </Button>
      </Space>
    );
  }

  if (!secret) {
    return (
      <Form
        name="totp-start"
        layout="vertical"
        onFinish={(v: { password?: string }) =>
          run(async () =>
            setSecret(await api.post<{ secret: string; uri: string }>('/api/auth/totp/enrol', { password: password ?? v.password })),
          )
        }
      >
        <Typography.Paragraph>
          启用后，登录时除密码外还需输入手机身份验证器（如 Microsoft Authenticator、Google Authenticator、FreeOTP）上的6位动态码。
        </Typography.Paragraph>
        {password === undefined && (
          <Form.Item name="password" label="当前密码" rules={[{ required: true, message: '请输入当前密码' }]}>
            <Input.Password autoComplete="current-password" data-testid="totp-password" />
          </Form.Item>
        )}
        {errorBox}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-start">
          开始设置
        </Button>
      </Form>
    );
  }

  return (
    <Form
      name="totp-confirm"
      layout="vertical"
      onFinish={(v: { code: string }) =>
        run(async () =>
          setCodes(await api.post<{ user: User; recoveryCodes: string[] }>('/api/auth/totp/confirm', { code: v.code.trim() })),
        )
      }
    >
      <Typography.Paragraph>
        在身份验证器中添加账号：在手机上打开<a href={secret.uri}>此链接</a>，或手动输入密钥（基于时间，30秒，6位）：
      </Typography.Paragraph>
      <Typography.Paragraph>
        <Typography.Text code copyable={{ text: secret.secret }} data-testid="totp-secret">
          {grouped(secret.secret)}
        </Typography.Text>
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ wordBreak: 'break-all', fontSize: 12 }} copyable data-testid="totp-uri">
        {secret.uri}
      </Typography.Paragraph>
      <Form.Item
        name="code"
        label="验证器上显示的6位动态码"
        rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: '请输入6位数字' }]}
      >
        <Input inputMode="numeric" autoComplete="one-time-code" maxLength={8} data-testid="totp-code" />
      </Form.Item>
      {errorBox}
      <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-confirm">
        验证并启用
      </Button>
    </Form>
  );
}

/** The 账号安全 tab: one's own password and two-factor login. */
export function AccountSecurityPanel({ onChanged }: { onChanged?: () => void }) {
  const me = useApiQuery(keys.me, () => api.get<User>('/api/me'));
  const [enrolling, setEnrolling] = useState(false);
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<string>();
  const user = me.data;
  if (!user) return me.error ? <Alert type="error" showIcon title={me.error} /> : null;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%', maxWidth: 560 }}>
      <Card size="small" title="修改密码">
        {done && <Alert type="success" showIcon title={done} style={{ marginBottom: 16 }} />}
        <ChangePasswordForm user={user} onDone={() => setDone('密码已修改，您在其他设备上的登录已退出。')} />
      </Card>
      <Card
        size="small"
        title={
          <Space>
            双因素认证（TOTP）
            {user.twoFactor ? <Tag color="green">已启用</Tag> : <Tag>未启用</Tag>}
          </Space>
        }
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        {!user.twoFactor &&
          (enrolling ? (
            <TwoFactorSetup
              onDone={() => {
                setEnrolling(false);
                me.reload();
                onChanged?.();
              }}
            />
          ) : (
            <Button type="primary" onClick={() => setEnrolling(true)} data-testid="totp-enrol">
              启用双因素认证
            </Button>
          ))}
        {user.twoFactor && (
          <TwoFactorManage
            onChanged={() => {
              me.reload();
              onChanged?.();
            }}
            setError={setError}
          />
        )}
      </Card>
    </Space>
  );
}

/** New recovery codes, or turning TOTP off (password and a current code). */
function TwoFactorManage({ onChanged, setError }: { onChanged: () => void; setError: (e?: string) => void }) {
  const [form] = Form.useForm();
  const [fresh, setFresh] = useState<string[]>();
  const act = async (fields: string[], fn: (v: { password: string; code?: string }) => Promise<void>) => {
    setError(undefined);
    try {
      await fn(await form.validateFields(fields));
    } catch (err) {
      if (err instanceof Error) setError(errorText(err));
    }
  };
  return (
    <Form form={form} name="totp-manage" layout="vertical">
      <Typography.Paragraph type="secondary">
        重新生成恢复码后旧恢复码作废。关闭双因素认证需输入当前动态码；本站若要求管理员和值班长必须启用，则不能关闭。
      </Typography.Paragraph>
      <Form.Item name="password" label="当前密码" rules={[{ required: true, message: '请输入当前密码' }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="code" label="动态码（关闭时需要）" rules={[{ pattern: /^\s*\d{6}\s*$/, message: '请输入6位数字' }]}>
        <Input inputMode="numeric" maxLength={8} />
      </Form.Item>
      <Space>
        <Button
          onClick={() =>
            act(['password'], async (v) => {
              setFresh(
                (await api.post<{ recoveryCodes: string[] }>('/api/auth/totp/recovery-codes', { password: v.password })).recoveryCodes,
              );
            })
          }
        >
          重新生成恢复码
        </Button>
        <Button
          danger
          onClick={() =>
            act(['password', 'code'], async (v) => {
              if (!v.code) throw new Error('请输入验证器上当前的动态码');
              await api.post('/api/auth/totp/disable', { password: v.password, code: v.code.trim() });
              onChanged();
            })
          }
        >
          关闭双因素认证
        </Button>
      </Space>
      {fresh && (
        <List
          style={{ marginTop: 16 }}
          size="small"
          bordered
          header="新的恢复码（只显示这一次，请妥善保管）"
          dataSource={fresh}
          renderItem={(c) => (
            <List.Item>
              <Typography.Text code copyable>
                {c}
              </Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Form>
  );
}
