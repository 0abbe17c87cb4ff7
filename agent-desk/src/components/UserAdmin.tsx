/** An admin's password reset for another user: a temporary password they must change at their next login. */
import { Alert, App, Button, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { api } from '../api.js';
import { errorText, newPasswordRules, type User } from './AccountSecurity.js';

export function ResetPasswordButton({ user, onDone }: { user: User; onDone: () => void }) {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} data-testid={`reset-${user.username}`}>
        重置密码
      </Button>
      <Modal
        open={open}
        title={`重置 ${user.displayName}（${user.username}）的密码`}
        okText="重置"
        confirmLoading={busy}
        destroyOnHidden
        onCancel={() => {
          setOpen(false);
          setError(undefined);
        }}
        onOk={async () => {
          const v = (await form.validateFields()) as { password: string };
          setBusy(true);
          setError(undefined);
          try {
            await api.post(`/api/users/${user.id}/password`, { password: v.password });
            message.success('密码已重置：该用户已退出登录，下次登录时须修改密码');
            setOpen(false);
            form.resetFields();
            onDone();
          } catch (err) {
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form form={form} name="reset-password" layout="vertical" preserve={false}>
          <Form.Item name="password" label="临时密码" rules={newPasswordRules(user)}>
            <Input.Password autoComplete="new-password" data-testid="reset-password" />
          </Form.Item>
        </Form>
        {error && <Alert type="error" showIcon title={error} />}
      </Modal>
    </>
  );
}
