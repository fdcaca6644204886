/**
 * Sequences as coloured letters. `SequenceWindow` places them where the one-hot encoding puts
 * them (alignment, length, padding), one fixed-width cell per window position, so the column
 * header's per-position logo sits exactly above its letters; padding shows as faint dots.
 */
import type { SequenceEncoding } from "../../../api/types";

export const LETTER_PITCH = 7; // px per window position, letters and logo bars alike
export const MAX_ALIGNED_WINDOW = 120; // wider windows are drawn as plain text

function letterClass(char: string): string {
  const upper = char.toUpperCase();
  return "ACGTU".includes(upper) ? upper : "N";
}

/** Plain coloured letters (runs of one letter share a span, so long rows stay light). */
export function SequenceLetters({ text }: { text: string }) {
  const runs: { letter: string; run: string }[] = [];
  for (const char of text) {
    const letter = letterClass(char);
    const last = runs[runs.length - 1];
    if (last && last.letter === letter) last.run += char;
    else runs.push({ letter, run: char });
  }
  return (
    <span className="seq" title={`${text.length} nt`}>
      {runs.map((r, i) => (
        <span key={i} className={r.letter}>
          {r.run}
        </span>
      ))}
    </span>
  );
}

/** Where `one_hot` starts a sequence of length `n` in a window of `length` positions. */
function alignmentOffset(n: number, length: number, alignment: SequenceEncoding["alignment"]): number {
  if (alignment === "right") return length - n;
  if (alignment === "center") return Math.floor((length - n + 1) / 2);
  return 0;
}

/** Window width in positions: `length` (default the longest sequence) plus padding on both sides. */
export function windowWidth(encoding: SequenceEncoding, longest: number): number {
  return (encoding.length ?? longest) + 2 * (encoding.padding ?? 0);
}

export function SequenceWindow({ text, encoding, longest }: { text: string; encoding: SequenceEncoding; longest: number }) {
  const length = encoding.length ?? longest;
  const padding = encoding.padding ?? 0;
  const width = length + 2 * padding;
  const start = alignmentOffset(text.length, length, encoding.alignment ?? "left") + padding;
  const cells = [];
  for (let position = 0; position < width; position += 1) {
    const index = position - start;
    const inside = position >= padding && position < padding + length;
    const char = inside && index >= 0 && index < text.length ? text[index]! : null;
    cells.push(
      <span key={position} className={char ? letterClass(char) : position < padding || position >= padding + length ? "pad" : undefined}>
        {char ?? (inside ? "" : "·")}
      </span>,
    );
  }
  return (
    <span className="seq seq-window" title={`${text.length} nt in a ${width}-position window`}>
      {cells}
    </span>
  );
}
