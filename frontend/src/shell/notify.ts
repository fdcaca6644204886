/** Toasts for what the user did: errors with the server's message, short confirmations. */
import { notifications } from "@mantine/notifications";

import { errorMessage } from "../api/client";

export function notifyError(error: unknown, title = "That did not work") {
  notifications.show({ color: "red", title, message: errorMessage(error), autoClose: 8000 });
}

export function notifyDone(message: string) {
  notifications.show({ color: "teal", message, autoClose: 3000 });
}
