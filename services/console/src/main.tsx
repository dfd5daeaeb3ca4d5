import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { ApiError } from './api/client';

// A 401 anywhere means the session ended (idle timeout, sign-out elsewhere): back to sign-in.
const onError = (error: unknown) => {
  if (!(error instanceof ApiError) || error.status !== 401 || !queryClient.getQueryData(['session'])) return;
  queryClient.setQueryData(['session'], null);
  queryClient.setQueryData(['session-ended'], error.message);
};

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; anything else gets one more try.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 1,
      staleTime: 10_000,
      refetchOnWindowFocus: false,
    },
  },
});

// Darker primary shades keep white-on-blue text above the WCAG AA contrast ratio.
// Descriptions get a darker grey than Mantine's default for the same reason.
const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  components: { InputWrapper: { styles: { description: { color: 'var(--mantine-color-gray-7)' } } } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
