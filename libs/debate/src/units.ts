import { UserError } from '@w2s/core/base';

/**
 * What a feature (the unit a debater reveals) is in terms of input coordinates:
 * `members[f]` lists the coordinates (indices into one example's x, 0..inputDim-1) of feature f.
 */
export interface FeatureUnits {
  inputDim: number;
  members: number[][];
}

/** Every coordinate of a dim-long vector is its own feature. */
export function coordinateUnits(dim: number): FeatureUnits {
  checkPositiveInt(dim, 'dim');
  return { inputDim: dim, members: Array.from({ length: dim }, (_, i) => [i]) };
}

/**
 * Square patches of a channel-last image [height, width, channels] (x index (y·width + x)·channels + c):
 * feature (row r, column c) of the patch grid covers pixels [r·patch, (r+1)·patch) × [c·patch, (c+1)·patch)
 * (clipped at the border) in every channel; features are numbered row by row. A 28×28 digit with
 * patch 4 has 7 × 7 = 49 features, so one turn costs 50 judge forward passes.
 */
export function patchUnits(shape: readonly number[], patch: number): FeatureUnits {
  const [height, width, channels = 1] = shape;
  if (shape.length < 2 || shape.length > 3) throw new UserError(`expected an image shape [height, width, channels?], got [${shape.join(', ')}]`, 'shape');
  checkPositiveInt(height!, 'shape[0]');
  checkPositiveInt(width!, 'shape[1]');
  checkPositiveInt(channels, 'shape[2]');
  checkPositiveInt(patch, 'patch');
  const members: number[][] = [];
  for (let r0 = 0; r0 < height!; r0 += patch) {
    for (let c0 = 0; c0 < width!; c0 += patch) {
      const coords: number[] = [];
      for (let y = r0; y < Math.min(r0 + patch, height!); y++) {
        for (let x = c0; x < Math.min(c0 + patch, width!); x++) {
          for (let ch = 0; ch < channels; ch++) coords.push((y * width! + x) * channels + ch);
        }
      }
      members.push(coords);
    }
  }
  return { inputDim: height! * width! * channels, members };
}

/** The default text tokenizer of the text judges: runs of non-space characters. */
export function wordTokens(text: string): string[] {
  return text.split(/\s+/).filter((t) => t.length > 0);
}

function checkPositiveInt(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) throw new UserError(`must be a positive integer, got ${n}`, name);
}
