package io.simdnet.engine.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.gradcheck.GradientCheck;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

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
}
