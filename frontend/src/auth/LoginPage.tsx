/** The log-in form; the first administrator's password is printed by `kozak up` on first start. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertCircle } from "@tabler/icons-react";

import { errorMessage } from "../api/client";
import { Logo } from "../shell/Logo";
import { useLogin } from "./session";

export function LoginPage() {
  const login = useLogin();
  const form = useForm({ initialValues: { name: "", password: "" } });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={380}>
        <form onSubmit={form.onSubmit((values) => login.mutate(values))}>
          <Stack>
            <Stack gap={4} align="center">
              <Logo size={40} />
              <Title order={2}>Log in to Kozak</Title>
              <Text c="dimmed" size="sm">
                Deep learning for biological sequences
              </Text>
            </Stack>
            {login.error && (
              <Alert color="red" icon={<IconAlertCircle size={18} />}>
                {errorMessage(login.error)}
              </Alert>
            )}
            <TextInput label="User name" autoComplete="username" required autoFocus {...form.getInputProps("name")} />
            <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps("password")} />
            <Button type="submit" loading={login.isPending} fullWidth>
              Log in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
