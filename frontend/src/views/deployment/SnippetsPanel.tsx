/** "Call it from code": cURL, Python and the JSON body with the real URL, ready to copy. */
import { Box, Card, Code, Stack, Tabs, Text, Title } from "@mantine/core";
import { useState } from "react";

import { CopyAction } from "./Copy";
import { curlSnippet, jsonSnippet, pythonSnippet, TOKEN_PLACEHOLDER, type SnippetInput } from "./snippets";

const KINDS = [
  { value: "curl", label: "cURL", make: curlSnippet },
  { value: "python", label: "Python", make: pythonSnippet },
  { value: "json", label: "JSON body", make: jsonSnippet },
] as const;

export function SnippetsPanel(input: SnippetInput) {
  const [kind, setKind] = useState<string>("curl");
  return (
    <Card withBorder radius="md" p="md">
      <Stack gap="sm">
        <div>
          <Title order={5}>Call it from code</Title>
          <Text size="xs" c="dimmed">
            {input.token
              ? "These carry the new token: copy them while it is shown."
              : `Put the deployment's token in place of ${TOKEN_PLACEHOLDER}. The example row follows the test form.`}
          </Text>
        </div>
        <Tabs value={kind} onChange={(value) => value && setKind(value)} variant="pills" radius="sm">
          <Tabs.List>
            {KINDS.map(({ value, label }) => (
              <Tabs.Tab key={value} value={value} fz="xs" py={4} px={10}>
                {label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {KINDS.map(({ value, label, make }) => {
            const text = make(input);
            return (
              <Tabs.Panel key={value} value={value} pt="xs">
                <Box pos="relative">
                  <Code block data-testid={`snippet-${value}`} style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 12, paddingRight: 40 }}>
                    {text}
                  </Code>
                  <Box pos="absolute" top={6} right={6}>
                    <CopyAction value={text} label={`Copy the ${label} snippet`} />
                  </Box>
                </Box>
              </Tabs.Panel>
            );
          })}
        </Tabs>
        {input.target === null || (
          <Text size="xs" c="dimmed">
            Answer: <Code fz="xs">{`{"rows": [{"${input.target}": …}]}`}</Code> · a bad row is a 422 naming the row and feature.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
