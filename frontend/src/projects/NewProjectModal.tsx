/** The "New project" dialog: a name and a description; opens the project when created. */
import { Button, Group, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useNavigate } from "react-router";

import { errorMessage } from "../api/client";
import { useCreateProject } from "./queries";

export function NewProjectModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateProject();
  const navigate = useNavigate();
  const form = useForm({
    initialValues: { name: "", description: "" },
    validate: { name: (value) => (value.trim() ? null : "A project needs a name") },
  });
  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="New project">
      <form
        onSubmit={form.onSubmit((values) =>
          create.mutate(
            { name: values.name.trim(), description: values.description },
            { onSuccess: (project) => { close(); navigate(`/projects/${project.id}/datasets`); } },
          ),
        )}
      >
        <Stack>
          <TextInput label="Name" placeholder="Yeast Blog" data-autofocus required {...form.getInputProps("name")} error={form.errors.name ?? (create.error ? errorMessage(create.error) : undefined)} />
          <Textarea label="Description" placeholder="What this project is about" autosize minRows={2} {...form.getInputProps("description")} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create project
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
