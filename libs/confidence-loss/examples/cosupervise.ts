// Co-supervision: two teachers label each example; the student learns each one from the teacher its
// own prediction finds most likely, and drops the examples where that teacher still disagrees with it.
import * as tf from '@tensorflow/tfjs';
import { cosuperviseAssignment, makeLoss } from '@w2s/confidence-loss';

const logits = tf.tensor2d([[2, 0], [0, 2], [1, 0]]); // the student: class 0, class 1, class 0
// Row i: teacher 0's probabilities [p0, p1], then teacher 1's.
const teachers = tf.tensor2d([
  [0.9, 0.1, 0.2, 0.8],
  [0.9, 0.1, 0.2, 0.8],
  [0.3, 0.7, 0.4, 0.6], // both teachers say class 1, the student says 0
]);
const options = { warmupFrac: 0.2, denoiseTopK: 1 };
const { teacher, keep } = cosuperviseAssignment(logits, teachers, 0.5, options);
export const assigned = Array.from(teacher); // [0, 1, 1]
export const kept = Array.from(keep); // [1, 1, 0]
// The loss at 50 % of training: the mean cross-entropy of the kept examples with their teacher's labels.
export const value = makeLoss({ name: 'cosupervise', ...options })(logits, teachers, 0.5).dataSync()[0]!;
tf.dispose([logits, teachers]);
