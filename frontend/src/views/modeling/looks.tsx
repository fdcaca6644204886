/** How blocks look: a colour and an icon per palette group, and a one-line summary of params. */
import type { Icon } from "@tabler/icons-react";
import {
  IconArrowMerge,
  IconArrowsMinimize,
  IconArrowsShuffle,
  IconBolt,
  IconBox,
  IconDroplet,
  IconEye,
  IconGridDots,
  IconLogin2,
  IconRepeat,
  IconAdjustmentsHorizontal,
  IconTarget,
} from "@tabler/icons-react";

import { enumLabel } from "./fields";

export interface CategoryLook {
  label: string;
  color: string;
  icon: Icon;
}

/** Palette groups, in the order the palette lists them. */
export const CATEGORIES: Record<string, CategoryLook> = {
  io: { label: "Input and target", color: "teal", icon: IconLogin2 },
  core: { label: "Core", color: "violet", icon: IconBox },
  convolution: { label: "Convolution", color: "blue", icon: IconGridDots },
  pooling: { label: "Pooling", color: "cyan", icon: IconArrowsMinimize },
  regularization: { label: "Regularization", color: "gray", icon: IconDroplet },
  normalization: { label: "Normalization", color: "orange", icon: IconAdjustmentsHorizontal },
  reshape: { label: "Reshape", color: "grape", icon: IconArrowsShuffle },
  merge: { label: "Merge", color: "pink", icon: IconArrowMerge },
  recurrent: { label: "Recurrent", color: "indigo", icon: IconRepeat },
  attention: { label: "Attention", color: "lime", icon: IconEye },
};

const FALLBACK: CategoryLook = { label: "Other", color: "gray", icon: IconBolt };

export function lookOf(category: string | undefined, type?: string): CategoryLook {
  if (type === "target") return { ...CATEGORIES.io!, icon: IconTarget };
  return (category && CATEGORIES[category]) || FALLBACK;
}

const SHORT_LOSSES: Record<string, string> = {
  mse: "MSE",
  mae: "MAE",
  msle: "MSLE",
  huber: "Huber",
  poisson: "Poisson",
  categorical_crossentropy: "crossentropy",
  binary_crossentropy: "binary crossentropy",
  squared_hinge: "squared hinge",
};

const num = (v: unknown) => (typeof v === "number" ? v.toLocaleString("en-US") : "?");
const act = (v: unknown) => (typeof v === "string" ? enumLabel(v) : "");
const notRelu = (v: unknown) => (v === "relu" ? "" : act(v)); // ReLU is every layer's default

/** The params that matter at a glance, e.g. "128 filters · 13 × 4 · ReLU". */
export function summarize(type: string, p: Record<string, unknown>): string {
  const parts: string[] = [];
  const same = p.padding === "same" ? "same" : "";
  switch (type) {
    case "input":
      parts.push(typeof p.feature === "string" ? p.feature : "no feature");
      if (Array.isArray(p.shape)) parts.push(`as ${p.shape.join(" x ")}`);
      break;
    case "target":
      parts.push(typeof p.feature === "string" ? p.feature : "no feature");
      if (typeof p.loss === "string") parts.push(SHORT_LOSSES[p.loss] ?? p.loss);
      break;
    case "conv2d":
      parts.push(`${num(p.filters)} filters`, `${num(p.width)}×${num(p.height)}`, notRelu(p.activation), same);
      if (p.stride !== 1) parts.push(`stride ${num(p.stride)}`);
      break;
    case "conv1d":
      parts.push(`${num(p.filters)} filters`, `width ${num(p.kernel_size)}`, notRelu(p.activation), same);
      if (p.stride !== 1) parts.push(`stride ${num(p.stride)}`);
      break;
    case "dense":
      parts.push(p.units === 1 ? "1 node" : `${num(p.units)} nodes`, act(p.activation));
      break;
    case "dropout":
      parts.push(`rate ${num(p.rate)}`);
      break;
    case "activation":
      parts.push(act(p.function));
      break;
    case "max_pool1d":
    case "avg_pool1d":
      parts.push(`width ${num(p.pool_size)}`, same);
      break;
    case "max_pool2d":
    case "avg_pool2d":
      parts.push(`${num(p.width)} × ${num(p.height)}`, same);
      break;
    case "global_pool1d":
    case "global_pool2d":
      parts.push(act(p.mode));
      break;
    case "lstm":
    case "gru":
      parts.push(`${num(p.units)} units`, p.bidirectional ? "bidirectional" : "", p.return_sequences ? "sequences" : "");
      break;
    case "transformer":
      parts.push(`${num(p.heads)} heads`, `ff ${num(p.ff_dim)}`);
      break;
    case "embedding":
      parts.push(`${num(p.vocab_size)} → ${num(p.dim)}`);
      break;
    case "reshape":
      if (Array.isArray(p.shape)) parts.push(p.shape.join(" x "));
      break;
    case "permute":
      if (Array.isArray(p.dims)) parts.push(`axes ${p.dims.join(", ")}`);
      break;
    case "concatenate":
      parts.push(`axis ${num(p.axis)}`);
      break;
  }
  return parts.filter(Boolean).join(" · ");
}
