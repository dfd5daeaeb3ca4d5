import { Alert, Grid, Stack, Title } from '@mantine/core';
import { LoyaltyPanel } from '../panels/loyalty-panel';
import { CasesPanel } from '../panels/cases-panel';
import { ProfilePanel } from '../panels/profile-panel';
import { SegmentPanel } from '../panels/segment-panel';
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
            <CasesPanel customerId={customerId} />
            <LoyaltyPanel customerId={customerId} />
            <SegmentPanel customerId={customerId} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <TimelinePanel customerId={customerId} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
