import { families } from '@w2s/models';

/**
 * Model labels (`mlp-xs`, `text-m-ft`, …) ordered by family, then by position on the family's size
 * ladder; labels this cannot place (a user's embedding column) keep their first-seen order.
 */
export function bySize(labels: readonly string[]): string[] {
  const unique = [...new Set(labels)];
  const familyOrder = [...new Set(unique.map((l) => l.split('-')[0]!))];
  const rank = (label: string) => {
    const [family, size] = label.split('-');
    const sizes = families[family!]?.sizes ?? [];
    const i = sizes.indexOf(size ?? '');
    return [familyOrder.indexOf(family!), i < 0 ? sizes.length + unique.indexOf(label) : i, unique.indexOf(label)] as const;
  };
  return unique.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
  });
}
