/** The signed-in user's menu: who they are, and logging out. */
import { Avatar, Menu, UnstyledButton } from "@mantine/core";
import { IconLogout, IconShieldCheck } from "@tabler/icons-react";

import type { User } from "../api/types";
import { useLogout } from "../auth/session";

export function UserMenu({ user }: { user: User }) {
  const logout = useLogout();
  return (
    <Menu position="bottom-end" withArrow>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu of ${user.name}`}>
          <Avatar color="teal" radius="xl" size={32}>
            {user.name.slice(0, 2).toUpperCase()}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          Signed in as <b>{user.name}</b>
        </Menu.Label>
        {user.is_admin && (
          <Menu.Item leftSection={<IconShieldCheck size={16} />} disabled>
            Administrator
          </Menu.Item>
        )}
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => logout.mutate()}>
          Log out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
