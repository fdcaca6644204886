/** The Mantine theme: teal as the brand colour, calm greys, and the nucleotide colours. */
import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "teal",
  defaultRadius: "md",
  fontFamily:
    "Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  fontFamilyMonospace: "'JetBrains Mono', ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
  headings: { fontWeight: "650" },
  cursorType: "pointer",
  respectReducedMotion: true,
});

/** Letter colours for A, C, G, T/U (the usual sequence-logo palette). */
export const BASE_COLORS: Record<string, string> = {
  A: "#2f9e44",
  C: "#1c7ed6",
  G: "#f08c00",
  T: "#e03131",
  U: "#e03131",
};

export const OTHER_BASE_COLOR = "#868e96";
