import { Alert, Button, Group, Stack } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { ApiError } from '../api/client';

/** What a failed command says: a 409 means someone else changed the case first. */
export function caseErrorMessage(error: Error): string {
  if (!(error instanceof ApiError)) return error.message;
  if (error.status === 409) return `Someone else changed this case first: ${error.message} The list has been reloaded; check and try again.`;
  if (error.status === 400 && error.problem.errors?.length) return error.problem.errors.map((item) => `${item.path}: ${item.message}`).join('; ');
  return error.message;
}

/** A case command's form: its fields, one submit button, and what went wrong. */
export function CommandForm({ label, pending, error, onSubmit, children, submit }: { label: string; pending: boolean; error: Error | null; onSubmit: () => void; children: ReactNode; submit: string }) {
  const handle = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={handle} aria-label={label}>
      <Stack gap="xs">
        {children}
        <Group>
          <Button type="submit" loading={pending} size="sm">
            {submit}
          </Button>
        </Group>
        {error && (
          <Alert color="red" role="alert" title={error instanceof ApiError && error.status === 409 ? 'Conflict' : 'Not done'}>
            {caseErrorMessage(error)}
          </Alert>
        )}
      </Stack>
    </form>
  );
}
