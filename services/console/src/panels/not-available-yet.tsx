import { Card, Text, Title } from '@mantine/core';

/** A panel whose API does not exist yet: says so, shows no invented data. */
export function NotAvailableYet({ title, what }: { title: string; what: string }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Title order={2} size="h5">
        {title}
      </Title>
      <Text c="gray.7" size="sm" mt="xs">
        Not available yet. {what}
      </Text>
    </Card>
  );
}
