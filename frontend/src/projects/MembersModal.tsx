/** Project members: everyone sees who is in; owners invite by user name and set or remove roles. */
import { ActionIcon, Autocomplete, Button, Group, Modal, Select, Stack, Table, Text, Tooltip } from "@mantine/core";
import { IconTrash, IconUserPlus } from "@tabler/icons-react";
import { useState } from "react";

import type { Project } from "../api/types";
import { notifyError } from "../shell/notify";
import { useMembers, useRemoveMember, useSetMember, useUsers } from "./queries";

const ROLES = [
  { value: "owner", label: "Owner" },
  { value: "editor", label: "Editor" },
  { value: "viewer", label: "Viewer" },
];

export function MembersModal({ project, opened, onClose }: { project: Project; opened: boolean; onClose: () => void }) {
  // Asked for when the modal opens: every project page renders it closed.
  const members = useMembers(project.id, opened);
  const users = useUsers(opened);
  const setMember = useSetMember(project.id);
  const removeMember = useRemoveMember(project.id);
  const [invitee, setInvitee] = useState("");
  const [role, setRole] = useState("editor");
  const isOwner = project.role === "owner";
  const current = new Set(members.data?.data.map((m) => m.user));
  const candidates = (users.data?.data ?? []).map((u) => u.name).filter((name) => !current.has(name));

  const invite = () =>
    setMember.mutate({ user: invitee.trim(), role }, { onSuccess: () => setInvitee(""), onError: (e) => notifyError(e) });

  return (
    <Modal opened={opened} onClose={onClose} title={`Members of ${project.name}`} size="lg">
      <Stack>
        <Table verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>User</Table.Th>
              <Table.Th w={160}>Role</Table.Th>
              <Table.Th w={48} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.data?.data.map((member) => (
              <Table.Tr key={member.user_id}>
                <Table.Td>{member.user}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Role of ${member.user}`}
                    data={ROLES}
                    value={member.role}
                    disabled={!isOwner}
                    allowDeselect={false}
                    size="xs"
                    onChange={(value) => value && setMember.mutate({ user: member.user, role: value }, { onError: (e) => notifyError(e) })}
                  />
                </Table.Td>
                <Table.Td>
                  {isOwner && (
                    <Tooltip label={`Remove ${member.user}`}>
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove ${member.user}`} onClick={() => removeMember.mutate(member.user, { onError: (e) => notifyError(e) })}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {isOwner ? (
          <Group align="flex-end" wrap="nowrap">
            <Autocomplete label="Invite a user" placeholder="user name" data={candidates} value={invitee} onChange={setInvitee} style={{ flex: 1 }} />
            <Select label="Role" data={ROLES} value={role} onChange={(value) => value && setRole(value)} allowDeselect={false} w={130} />
            <Button leftSection={<IconUserPlus size={16} />} onClick={invite} disabled={!invitee.trim()} loading={setMember.isPending}>
              Invite
            </Button>
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            Only the project's owners can invite people and change roles.
          </Text>
        )}
      </Stack>
    </Modal>
  );
}
