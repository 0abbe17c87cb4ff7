/**
 * The intake form and its draft (kept per call, so a reload or a dropped connection loses
 * nothing). The description follows what the caller says until the agent types in it.
 */
import { Form } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { clearDraft, loadDraft, saveDraft } from '../../../drafts.js';
import type { Intake } from '../types.js';

export function useIntakeDraft(callId: number | null, callerText: string) {
  const [form] = Form.useForm<Intake>();
  const draftKey = `intake.${callId ?? 'manual'}`;
  const [description, setDescription] = useState<string>(() => loadDraft<Intake>(draftKey)?.description ?? '');
  const descTouched = useRef(false);

  useEffect(() => {
    if (callerText && !descTouched.current) {
      form.setFieldValue('description', callerText);
      saveDraft(draftKey, form.getFieldsValue());
      setDescription(callerText);
    }
  }, [callerText, form, draftKey]);

  const values = {
    phone: Form.useWatch('callerPhone', form) as string | undefined,
    name: Form.useWatch('callerName', form) as string | undefined,
    // The address picks the street/community/grid whose routing overrides apply.
    address: Form.useWatch('address', form) as string | undefined,
    anonymous: Form.useWatch('anonymous', form) as boolean | undefined,
  };

  const onValuesChange = (changed: Intake, all: Intake) => {
    saveDraft(draftKey, all);
    if ('description' in changed) {
      descTouched.current = true;
      setDescription(changed.description ?? '');
    }
  };

  /** The classifier's category (and its department) the agent took. */
  const apply = (fields: Partial<Intake>) => {
    form.setFieldsValue(fields);
    saveDraft(draftKey, form.getFieldsValue());
  };

  /** A value heard in the call the agent took: checked like a typed one. */
  const applySuggestion = (field: keyof Intake, value: string | boolean) => {
    form.setFieldValue(field, value);
    saveDraft(draftKey, form.getFieldsValue());
    void form.validateFields([field]).catch(() => {});
  };

  /** The call's number goes into an empty phone field. */
  const prefillPhone = useCallback(
    (number: string | null) => {
      if (number && !form.getFieldValue('callerPhone')) form.setFieldValue('callerPhone', number);
    },
    [form],
  );

  /** The work order is in: the next one starts blank. */
  const clear = useCallback(() => {
    clearDraft(draftKey);
    form.resetFields();
    descTouched.current = false;
    setDescription('');
  }, [draftKey, form]);

  return {
    form,
    draftKey,
    initialValues: loadDraft<Intake>(draftKey) ?? {},
    description,
    values,
    onValuesChange,
    apply,
    applySuggestion,
    prefillPhone,
    clear,
  };
}

export type IntakeDraft = ReturnType<typeof useIntakeDraft>;
