import { Alert, Grid, Stack, Title } from '@mantine/core';
import { LoyaltyPanel } from '../panels/loyalty-panel';
import { NotAvailableYet } from '../panels/not-available-yet';
import { ProfilePanel } from '../panels/profile-panel';
import { TimelinePanel } from '../panels/timeline-panel';

/** Customer 360: every fact about one customer, one click from the search box. */
export function CustomerPage({ customerId }: { customerId: string }) {
  if (customerId.length === 0 || customerId.length > 128) {
    return (
      <Alert color="red" role="alert">
        Not a customer id.
      </Alert>
    );
  }
  return (
    <Stack>
      <Title order={1} size="h3">
        Customer {customerId}
      </Title>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack>
            <ProfilePanel customerId={customerId} />
            <LoyaltyPanel customerId={customerId} />
            <NotAvailableYet title="Value segment" what="The segments API (RFM segment and its explanation) is not available yet." />
            <NotAvailableYet title="Cases" what="The cases API (open complaints and callbacks with SLA countdowns) is not available yet." />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <TimelinePanel customerId={customerId} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
