import { Select, Textarea, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, newIdempotencyKey, pathOf } from '../api/client';
import type { CaseCommandAnswer } from '../api/types';
import { CommandForm } from './command-form';

// The complaint vocabulary of the ComplaintFiled contract (contracts/src/service.ts).
const CATEGORIES = ['delivery', 'product', 'billing', 'refund', 'service', 'website', 'other'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const CHANNELS = ['phone', 'email', 'chat', 'web', 'store', 'social'];

export interface FiledComplaint {
  readonly answer: CaseCommandAnswer;
  readonly complaintId: string;
}

/**
 * Files a complaint for the customer from the console (POST /v1/complaints): the platform derives
 * the complaint id from the Idempotency-Key, so a retried submit files it once.
 */
export function FileComplaintForm({ customerId, onFiled }: { customerId: string; onFiled: (filed: FiledComplaint) => void }) {
  const [category, setCategory] = useState<string | null>(null);
  const [severity, setSeverity] = useState<string | null>('medium');
  const [channel, setChannel] = useState<string | null>('phone');
  const [orderId, setOrderId] = useState('');
  const [summary, setSummary] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [missingCategory, setMissingCategory] = useState(false);
  const command = useMutation({
    mutationFn: (body: Record<string, string>) => api<CaseCommandAnswer>(pathOf('/v1/complaints', {}), { method: 'POST', body, headers: { 'idempotency-key': idempotencyKey } }),
    onSuccess: (answer) => {
      setIdempotencyKey(newIdempotencyKey());
      setSummary('');
      setOrderId('');
      onFiled({ answer, complaintId: answer.caseId.replace(/^complaint-/, '') });
    },
    onError: () => setIdempotencyKey(newIdempotencyKey()),
  });
  const submit = () => {
    setMissingCategory(!category);
    if (!category || !severity || !channel) return;
    command.mutate({ customerId, category, severity, channel, summary: summary.trim(), ...(orderId.trim() ? { orderId: orderId.trim() } : {}) });
  };
  return (
    <CommandForm label={`File a complaint for customer ${customerId}`} submit="File complaint" pending={command.isPending} error={command.error} onSubmit={submit}>
      <Select label="Category" data={CATEGORIES} value={category} onChange={setCategory} required placeholder="Choose a category" error={missingCategory && !category ? 'Choose a category' : undefined} w={220} />
      <Select label="Severity" data={SEVERITIES} value={severity} onChange={setSeverity} allowDeselect={false} required w={220} />
      <Select label="Received by" data={CHANNELS} value={channel} onChange={setChannel} allowDeselect={false} required w={220} />
      <TextInput label="Order number" description="Optional: links the complaint to the order in the timeline" value={orderId} onChange={(event) => setOrderId(event.currentTarget.value)} maxLength={128} w={260} />
      <Textarea label="What the customer says" value={summary} onChange={(event) => setSummary(event.currentTarget.value)} required maxLength={2000} autosize minRows={2} />
    </CommandForm>
  );
}
