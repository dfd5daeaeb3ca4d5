import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useSignIn } from '../session';

export function SignInPage() {
  const signIn = useSignIn();
  // Set when a signed-in page got a 401: the session ended (idle timeout, disabled, signed out elsewhere).
  const ended = useQueryClient().getQueryData<string>(['session-ended']);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password });
  };

  const error = signIn.error;
  const message =
    error instanceof ApiError && error.status === 429
      ? error.message
      : error instanceof ApiError && error.status === 401
        ? 'The email or password is wrong, or the account is disabled.'
        : error
          ? `Sign-in failed: ${error.message}`
          : undefined;

  return (
    <Center mih="100vh" component="main">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h3" id="sign-in-title">
              Sign in to Rapport
            </Title>
            {ended && !message && (
              <Alert color="yellow" title="Signed out" role="status">
                {ended}
              </Alert>
            )}
            {message && (
              <Alert color="red" title="Not signed in" role="alert">
                {message}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
            />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
