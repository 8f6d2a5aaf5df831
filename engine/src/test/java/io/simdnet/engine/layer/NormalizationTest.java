package io.simdnet.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

/** Batch, layer and group normalisation statistics, training and evaluation modes. */
class NormalizationTest {

    private static Tensor random(Rng rng, DType dtype, double mean, double std, int... dims) {
        Tensor t = Tensor.zeros(dtype, dims);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, mean + std * rng.gaussian());
        }
        return t;
    }

    @Test
    void batchNormTrainingOutputHasMeanBetaAndStdGammaPerChannel() {
        BatchNorm bn = new BatchNorm();
        bn.named("bn").build(Shape.of(3, 5, 4), DType.F32, new Rng(1));
        double[] gamma = {2, 0.5, 1.5};
        double[] beta = {-1, 3, 0.25};
        for (int c = 0; c < 3; c++) {
            bn.parameters().get(0).value().set(c, gamma[c]);
            bn.parameters().get(1).value().set(c, beta[c]);
        }
        Tensor y = bn.forward(random(new Rng(2), DType.F32, 7, 3, 16, 3, 5, 4), true);
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double squares = 0;
            for (int n = 0; n < 16; n++) {
                for (int i = 0; i < 20; i++) {
                    double v = y.get(n * 60 + c * 20 + i);
                    sum += v;
                    squares += v * v;
                }
            }
            double mean = sum / 320;
            double std = Math.sqrt(squares / 320 - mean * mean);
            assertEquals(beta[c], mean, 1e-5, "mean of channel " + c);
            // ε = 1e-5 in the denominator shrinks the std by a relative ~ε/(2σ²).
            assertEquals(gamma[c], std, 1e-4 * gamma[c], "std of channel " + c);
        }
    }

    @Test
    void batchNormEvaluationUsesRunningStatisticsAfterWarmUp() {
        BatchNorm bn = new BatchNorm(0.1, 1e-5);
        bn.named("bn").build(Shape.of(4), DType.F64, new Rng(1));
        Rng rng = new Rng(3);
        for (int step = 0; step < 200; step++) {
            bn.forward(random(rng, DType.F64, 5, 2, 64, 4), true);
        }
        Tensor runningMean = bn.parameters().get(2).value();
        Tensor runningVar = bn.parameters().get(3).value();
        for (int c = 0; c < 4; c++) {
            assertEquals(5, runningMean.get(c), 0.1);
            assertEquals(4, runningVar.get(c), 0.3);
        }
        Tensor x = Tensor.of(new double[] {5, 7, 3, 5}, 1, 4);
        Tensor y = bn.forward(x, false);
        for (int c = 0; c < 4; c++) {
            double expected = (x.get(c) - runningMean.get(c)) / Math.sqrt(runningVar.get(c) + 1e-5);
            assertEquals(expected, y.get(c), 1e-12);
        }
    }

    @Test
    void batchNormRunningVarianceUsesUnbiasedEstimateAsPyTorch() {
        BatchNorm bn = new BatchNorm(1.0, 1e-5);
        bn.named("bn").build(Shape.of(1), DType.F64, new Rng(1));
        bn.forward(Tensor.of(new double[] {1, 2, 3, 6}, 4, 1), true);
        assertEquals(3, bn.parameters().get(2).value().get(0), 1e-12);
        assertEquals((4 + 1 + 0 + 9) / 3.0, bn.parameters().get(3).value().get(0), 1e-12);
    }

    /**
     * The running statistics after {@code steps} batches, recomputed in plain double: the update each framework
     * documents, running = keep·running + (1 − keep)·batch, with the biased or unbiased batch variance.
     */
    private static double[][] referenceRunningStatistics(Tensor[] batches, int channels, int inner, double keep, boolean unbiased) {
        double[] mean = new double[channels];
        double[] var = new double[channels];
        java.util.Arrays.fill(var, 1);
        for (Tensor x : batches) {
            int n = x.batch();
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    for (int i = 0; i < inner; i++) {
                        sum += x.get((s * channels + c) * inner + i);
                    }
                }
                double m = sum / (n * inner);
                double squares = 0;
                for (int s = 0; s < n; s++) {
                    for (int i = 0; i < inner; i++) {
                        double d = x.get((s * channels + c) * inner + i) - m;
                        squares += d * d;
                    }
                }
                double v = squares / (unbiased ? n * inner - 1 : n * inner);
                mean[c] = keep * mean[c] + (1 - keep) * m;
                var[c] = keep * var[c] + (1 - keep) * v;
            }
        }
        return new double[][] {mean, var};
    }

    @Test
    void runningVarianceIsUnbiasedForPyTorchAndBiasedForKerasAndCs231nAfterSeveralSteps() {
        Rng rng = new Rng(11);
        Tensor[] batches = new Tensor[5];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = random(rng, DType.F64, 1 + i, 2 + i, 3, 2, 2, 3);
        }
        record Case(String name, java.util.function.Supplier<BatchNorm> layer, double keep, boolean unbiased, double epsilon) {
        }
        for (Case k : new Case[] {
            new Case("PyTorch default", BatchNorm::new, 0.9, true, 1e-5),
            new Case("Keras", BatchNorm::keras, 0.99, false, 1e-3),
            new Case("CS231n", BatchNorm::cs231n, 0.9, false, 1e-5),
            new Case("PyTorch momentum 0.3, biased", () -> new BatchNorm().momentum(0.3).runningVariance(BatchNorm.RunningVariance.BIASED), 0.7,
                    false, 1e-5),
            new Case("Keras momentum 0.8, unbiased", () -> new BatchNorm().kerasMomentum(0.8), 0.8, true, 1e-5)}) {
            double[][] expected = referenceRunningStatistics(batches, 2, 6, k.keep(), k.unbiased());
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                BatchNorm bn = k.layer().get();
                assertEquals(k.epsilon(), bn.epsilon(), 0, k.name());
                bn.named("bn").build(Shape.of(2, 2, 3), dtype, new Rng(1));
                for (Tensor x : batches) {
                    bn.forward(x.to(dtype), true);
                }
                double tolerance = dtype == DType.F64 ? 1e-12 : 1e-5;
                for (int c = 0; c < 2; c++) {
                    assertEquals(expected[0][c], bn.parameters().get(2).value().get(c), tolerance, k.name() + " running mean " + dtype);
                    assertEquals(expected[1][c], bn.parameters().get(3).value().get(c), tolerance, k.name() + " running var " + dtype);
                }
            }
        }
    }

    @Test
    void epsilonEntersTheNormalisationOfBatchLayerAndGroupNorm() {
        double eps = 0.5;
        Tensor x = Tensor.of(new double[] {1, 2, 3, 6}, 1, 4);
        double mean = 3;
        double var = (4 + 1 + 0 + 9) / 4.0;
        BatchNorm bn = new BatchNorm().epsilon(eps);
        bn.named("bn").build(Shape.of(1, 2, 2), DType.F64, new Rng(1));
        LayerNorm ln = new LayerNorm().epsilon(eps);
        ln.named("ln").build(Shape.of(4), DType.F64, new Rng(1));
        GroupNorm gn = new GroupNorm(1).epsilon(eps);
        gn.named("gn").build(Shape.of(1, 2, 2), DType.F64, new Rng(1));
        Tensor image = x.view(Shape.of(1, 1, 2, 2));
        Tensor[] outputs = {bn.forward(image, true), ln.forward(x, true), gn.forward(image, true)};
        for (Tensor y : outputs) {
            for (int i = 0; i < 4; i++) {
                assertEquals((x.get(i) - mean) / Math.sqrt(var + eps), y.get(i), 1e-12);
            }
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new LayerNorm().epsilon(0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new BatchNorm().kerasMomentum(1.5));
    }

    @Test
    void layerNormNormalisesEachSample() {
        LayerNorm ln = new LayerNorm();
        ln.named("ln").build(Shape.of(2, 3, 3), DType.F64, new Rng(1));
        Tensor y = ln.forward(random(new Rng(4), DType.F64, 3, 2, 5, 2, 3, 3), false);
        for (int n = 0; n < 5; n++) {
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < 18; i++) {
                sum += y.get(n * 18 + i);
                squares += y.get(n * 18 + i) * y.get(n * 18 + i);
            }
            assertEquals(0, sum / 18, 1e-12);
            assertEquals(1, squares / 18, 1e-4);
        }
    }

    @Test
    void groupNormNormalisesEachGroupOfChannels() {
        GroupNorm gn = new GroupNorm(2);
        gn.named("gn").build(Shape.of(4, 2, 2), DType.F64, new Rng(1));
        Tensor x = random(new Rng(5), DType.F64, -1, 3, 3, 4, 2, 2);
        Tensor y = gn.forward(x, true);
        // Group g of sample n is channels 2g and 2g + 1: 8 consecutive values.
        for (int n = 0; n < 3; n++) {
            for (int g = 0; g < 2; g++) {
                double inputSum = 0;
                double sum = 0;
                for (int i = 0; i < 8; i++) {
                    inputSum += x.get(n * 16 + g * 8 + i);
                    sum += y.get(n * 16 + g * 8 + i);
                }
                double inputMean = inputSum / 8;
                double inputVariance = 0;
                double squares = 0;
                for (int i = 0; i < 8; i++) {
                    double d = x.get(n * 16 + g * 8 + i) - inputMean;
                    inputVariance += d * d / 8;
                    squares += y.get(n * 16 + g * 8 + i) * y.get(n * 16 + g * 8 + i);
                }
                assertEquals(0, sum / 8, 1e-12, "mean of group " + g + " of sample " + n);
                // Unit variance but for ε = 1e-5 in the denominator.
                assertEquals(inputVariance / (inputVariance + 1e-5), squares / 8, 1e-12, "variance of group " + g + " of sample " + n);
            }
        }
    }

    @Test
    void batchNormFloatPathMatchesDoublePath() {
        for (boolean training : new boolean[] {true, false}) {
            BatchNorm single = new BatchNorm();
            BatchNorm reference = new BatchNorm();
            single.named("f").build(Shape.of(3, 4, 5), DType.F32, new Rng(1));
            reference.named("d").build(Shape.of(3, 4, 5), DType.F64, new Rng(1));
            for (int c = 0; c < 3; c++) {
                for (BatchNorm bn : new BatchNorm[] {single, reference}) {
                    bn.parameters().get(0).value().set(c, 0.5 + c);
                    bn.parameters().get(1).value().set(c, c - 1);
                    bn.parameters().get(3).value().set(c, 2 + c);
                }
            }
            Tensor x = random(new Rng(7), DType.F64, 2, 3, 6, 3, 4, 5);
            Tensor dy = random(new Rng(8), DType.F64, 0, 1, 6, 3, 4, 5);
            double[] expected = reference.forward(x, training).toDoubleArray();
            double[] actual = single.forward(x.to(DType.F32), training).toDoubleArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5, "output " + i + (training ? " (training)" : " (eval)"));
            }
            double[] expectedDx = reference.backward(dy, true).toDoubleArray();
            double[] actualDx = single.backward(dy.to(DType.F32), true).toDoubleArray();
            for (int i = 0; i < expectedDx.length; i++) {
                assertEquals(expectedDx[i], actualDx[i], 1e-5, "dx " + i + (training ? " (training)" : " (eval)"));
            }
            for (int p = 0; p < 2; p++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(reference.parameters().get(p).gradient().get(c), single.parameters().get(p).gradient().get(c), 1e-4);
                }
            }
        }
    }
}
