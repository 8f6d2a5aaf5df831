package io.simdnet.engine.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.gradcheck.GradientCheck;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.KernelPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loss values against plain formulas and gradients against finite differences. */
class LossTest {

    private static Tensor random(Rng rng, double low, double high, int... dims) {
        Tensor t = Tensor.zeros(DType.F64, dims);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, rng.uniform(low, high));
        }
        return t;
    }

    private static Tensor labels(int... values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return Tensor.of(d, values.length);
    }

    @Test
    void crossEntropyOfEqualLogitsIsLogOfClassCount() {
        Tensor logits = Tensor.zeros(DType.F64, 3, 10);
        assertEquals(Math.log(10), new SoftmaxCrossEntropy().compute(logits, labels(0, 4, 9), null), 1e-12);
    }

    @Test
    void crossEntropyMatchesDirectFormulaAndSurvivesHugeLogits() {
        Tensor logits = Tensor.of(new double[] {1, 2, 3, 1000, 0, -1000}, 2, 3);
        double expected = (-(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))) + 0) / 2;
        assertEquals(expected, new SoftmaxCrossEntropy().compute(logits, labels(2, 0), null), 1e-12);
    }

    @Test
    void crossEntropyWithOneHotTargetsEqualsIntegerLabels() {
        Rng rng = new Rng(3);
        Tensor logits = random(rng, -3, 3, 4, 5);
        Tensor oneHot = Tensor.zeros(DType.F64, 4, 5);
        int[] l = {1, 0, 4, 2};
        for (int r = 0; r < 4; r++) {
            oneHot.set(r * 5 + l[r], 1);
        }
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        assertEquals(loss.compute(logits, labels(l), null), loss.compute(logits, oneHot, null), 1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Rng rng = new Rng(5);
        Tensor soft = random(rng, 0, 1, 4, 6);
        for (int r = 0; r < 4; r++) {
            double sum = 0;
            for (int c = 0; c < 6; c++) {
                sum += soft.get(r * 6 + c);
            }
            for (int c = 0; c < 6; c++) {
                soft.set(r * 6 + c, soft.get(r * 6 + c) / sum);
            }
        }
        check(new SoftmaxCrossEntropy(), random(rng, -2, 2, 4, 6), labels(0, 5, 2, 3));
        check(new SoftmaxCrossEntropy(), random(rng, -2, 2, 4, 6), soft);
        check(new NllLoss(), random(rng, -3, -0.1, 4, 6), labels(1, 1, 5, 0));
        check(MeanSquaredError.mean(), random(rng, -2, 2, 3, 7), random(rng, -2, 2, 3, 7));
        check(MeanSquaredError.halfSumPerSample(), random(rng, -2, 2, 3, 7), random(rng, -2, 2, 3, 7));
        check(BinaryCrossEntropy.ofProbabilities(), random(rng, 0.05, 0.95, 5, 2), random(rng, 0, 1, 5, 2));
        check(BinaryCrossEntropy.ofLogits(), random(rng, -4, 4, 5, 2), random(rng, 0, 1, 5, 2));
    }

    private static void check(Loss loss, Tensor output, Tensor target) {
        GradientCheck.Result r = GradientCheck.loss(loss, output, target);
        assertTrue(r.maxRelativeError() < 1e-7, r.toString());
    }

    @Test
    void halfSumSquaredErrorIsTheCourseConvention() {
        Tensor y = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor t = Tensor.of(new double[] {0, 0, 0, 0}, 2, 2);
        assertEquals((1 + 4 + 9 + 16) / (2.0 * 2), MeanSquaredError.halfSumPerSample().compute(y, t, null), 1e-12);
        assertEquals((1 + 4 + 9 + 16) / 4.0, MeanSquaredError.mean().compute(y, t, null), 1e-12);
    }

    @Test
    void binaryCrossEntropyFromLogitsEqualsProbabilityForm() {
        Tensor logits = Tensor.of(new double[] {-3, 0.5, 2}, 3, 1);
        Tensor probabilities = Tensor.zeros(DType.F64, 3, 1);
        for (int i = 0; i < 3; i++) {
            probabilities.set(i, 1 / (1 + Math.exp(-logits.get(i))));
        }
        Tensor t = Tensor.of(new double[] {0, 1, 1}, 3, 1);
        assertEquals(BinaryCrossEntropy.ofProbabilities().compute(probabilities, t, null), BinaryCrossEntropy.ofLogits().compute(logits, t, null), 1e-12);
    }

    @Test
    void labelOutsideTheClassesIsRejectedNamingIt() {
        Tensor logits = Tensor.zeros(DType.F64, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy().compute(logits, labels(0, 3), null));
        assertTrue(e.getMessage().contains("label 3.0 of sample 1"), e.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> MeanSquaredError.mean().compute(logits, Tensor.zeros(DType.F64, 3, 2), null));
        assertTrue(shape.getMessage().contains("(2, 3)") && shape.getMessage().contains("(3, 2)"), shape.getMessage());
    }

    /** Softmax cross-entropy written out in double: the loss of each row from its own log Σ exp, and (p − t)/N. */
    private static double referenceCrossEntropy(double[] x, double[][] targets, int n, int classes, double[] gradient) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, x[r * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(x[r * classes + c] - max);
            }
            double logSum = max + Math.log(sum);
            for (int c = 0; c < classes; c++) {
                total += targets[r][c] * (logSum - x[r * classes + c]);
                gradient[r * classes + c] = (Math.exp(x[r * classes + c] - logSum) - targets[r][c]) / n;
            }
        }
        return total / n;
    }

    @ParameterizedTest(name = "batch {0}, {1} classes")
    @CsvSource({"1, 1", "1, 10", "3, 7", "5, 8", "64, 20", "33, 100", "2, 17"})
    void crossEntropyMatchesTheDoubleReferenceForBothElementTypesWithLabelsAndSoftTargets(int n, int classes) {
        Rng rng = new Rng(n * 1000L + classes);
        for (DType dtype : DType.values()) {
            for (boolean soft : new boolean[] {false, true}) {
                Tensor logits = Tensor.zeros(dtype, n, classes);
                for (int i = 0; i < logits.size(); i++) {
                    logits.set(i, 4 * rng.gaussian() + 30);
                }
                double[][] rows = new double[n][classes];
                Tensor target = soft ? Tensor.zeros(dtype, n, classes) : Tensor.zeros(dtype, n);
                for (int r = 0; r < n; r++) {
                    if (soft) {
                        double sum = 0;
                        for (int c = 0; c < classes; c++) {
                            // Some exact zeros, which the loss skips.
                            rows[r][c] = rng.nextDouble() < 0.3 ? 0 : (float) rng.uniform(0, 1);
                            sum += rows[r][c];
                        }
                        for (int c = 0; c < classes; c++) {
                            target.set(r * classes + c, sum == 0 ? 0 : rows[r][c] / sum);
                            rows[r][c] = target.get(r * classes + c);
                        }
                    } else {
                        int label = rng.nextInt(classes);
                        target.set(r, label);
                        rows[r][label] = 1;
                    }
                }
                double[] expectedGradient = new double[n * classes];
                double expected = referenceCrossEntropy(logits.toDoubleArray(), rows, n, classes, expectedGradient);
                SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
                Tensor gradient = Tensor.zeros(dtype, n, classes);
                String what = dtype + (soft ? " soft targets" : " labels");
                double tolerance = dtype == DType.F64 ? 1e-13 : 1e-6;
                assertEquals(expected, loss.compute(logits, target, gradient), tolerance * Math.max(1, expected), what + " loss");
                assertEquals(expected, loss.compute(logits, target, null), tolerance * Math.max(1, expected), what + " loss without gradient");
                for (int i = 0; i < expectedGradient.length; i++) {
                    // Relative to 1/N, the largest a gradient element can be.
                    assertEquals(expectedGradient[i], gradient.get(i), tolerance / n, what + " gradient " + i);
                }
            }
        }
    }

    @Test
    void crossEntropyIsBitIdenticalOnOneTwoAndThreeThreads() {
        int n = 257;
        int classes = 100;
        Rng rng = new Rng(12);
        Tensor logits = Tensor.zeros(DType.F32, n, classes);
        Tensor labels = Tensor.zeros(DType.F32, n);
        for (int i = 0; i < logits.size(); i++) {
            logits.set(i, 3 * rng.gaussian());
        }
        for (int r = 0; r < n; r++) {
            labels.set(r, rng.nextInt(classes));
        }
        int threadsBefore = KernelPool.threads();
        try {
            double[] losses = new double[3];
            double[][] gradients = new double[3][];
            for (int threads = 1; threads <= 3; threads++) {
                KernelPool.setThreads(threads);
                Tensor gradient = Tensor.zeros(DType.F32, n, classes);
                losses[threads - 1] = new SoftmaxCrossEntropy().compute(logits, labels, gradient);
                gradients[threads - 1] = gradient.toDoubleArray();
            }
            for (int t = 1; t < 3; t++) {
                assertEquals(losses[0], losses[t], 0, "loss: 1 vs " + (t + 1) + " threads");
                assertArrayEquals(gradients[0], gradients[t], 0, "gradient: 1 vs " + (t + 1) + " threads");
            }
        } finally {
            KernelPool.setThreads(threadsBefore);
        }
    }
}
