/**
 * An error the user caused (a bad loss config, logits and labels that do not fit): core's
 * UserError, from its tensor-free entry (importing `@w2s/core/base` does not register core's
 * tfjs backend, so this lib stays usable on its own in a plain tfjs program).
 */
export { UserError } from '@w2s/core/base';
