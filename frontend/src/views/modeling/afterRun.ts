/** Where Run leaves the user: the run's Evaluation view (the default) or the editor, kept per browser. */
import { useLocalStorage } from "@mantine/hooks";

export function useOpenEvaluationAfterRun() {
  return useLocalStorage<boolean>({ key: "kozak.run.open-evaluation", defaultValue: true, getInitialValueInEffect: false });
}
