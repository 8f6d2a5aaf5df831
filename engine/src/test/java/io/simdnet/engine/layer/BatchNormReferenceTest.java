package io.simdnet.engine.layer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batch norm's vectorised, parallel passes against a plain double-precision reference of the formulas, for both
 * element types, in training and evaluation: batch 1 and odd batches, channel counts and plane sizes that are not
 * multiples of the vector lanes, planes bigger than the kernel's float-lane flush, and inputs far from zero mean.
 */
class BatchNormReferenceTest {

    /** The outputs of one forward and backward, as doubles. */
    private record Pass(double[] y, double[] runningMean, double[] runningVar, double[] dGamma, double[] dBeta, double[] dx) {
    }

    /**
     * PyTorch's batch norm written out in double: statistics over (N, H, W) per channel, the biased variance to
     * normalise and the unbiased one for the running variance, and the gradients of y = γ·x̂ + β.
     */
    private static Pass reference(double[] x, double[] dy, int n, int channels, int inner, double[] gamma, double[] beta, double[] runMean,
            double[] runVar, double momentum, double eps, boolean training) {
        int count = n * inner;
        double[] y = new double[x.length];
        double[] dx = new double[x.length];
        double[] newMean = runMean.clone();
        double[] newVar = runVar.clone();
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        for (int c = 0; c < channels; c++) {
            double mean = runMean[c];
            double var = runVar[c];
            if (training) {
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    for (int i = 0; i < inner; i++) {
                        sum += x[(s * channels + c) * inner + i];
                    }
                }
                mean = sum / count;
                double squares = 0;
                for (int s = 0; s < n; s++) {
                    for (int i = 0; i < inner; i++) {
                        double d = x[(s * channels + c) * inner + i] - mean;
                        squares += d * d;
                    }
                }
                var = squares / count;
                newMean[c] = (1 - momentum) * runMean[c] + momentum * mean;
                newVar[c] = (1 - momentum) * runVar[c] + momentum * (count > 1 ? var * count / (count - 1) : var);
            }
            double invStd = 1 / Math.sqrt(var + eps);
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < inner; i++) {
                    int at = (s * channels + c) * inner + i;
                    double xhat = (x[at] - mean) * invStd;
                    y[at] = gamma[c] * xhat + beta[c];
                    sumDy += dy[at];
                    sumDyXhat += dy[at] * xhat;
                }
            }
            dGamma[c] = sumDyXhat;
            dBeta[c] = sumDy;
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < inner; i++) {
                    int at = (s * channels + c) * inner + i;
                    double xhat = (x[at] - mean) * invStd;
                    dx[at] = training ? gamma[c] * invStd * (dy[at] - sumDy / count - xhat * sumDyXhat / count) : gamma[c] * invStd * dy[at];
                }
            }
        }
        return new Pass(y, newMean, newVar, dGamma, dBeta, dx);
    }

    private static Tensor random(Rng rng, DType dtype, Shape shape, double mean, double std) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, mean + std * rng.gaussian());
        }
        return t;
    }

    /** Max |actual − expected| over max |expected|: float rounding is relative to the tensor's scale, not to each element. */
    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        double worst = 0;
        double scale = 1e-30;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(worst <= tolerance * scale, what + ": max error " + worst + " against max |value| " + scale + ", tolerance " + tolerance);
    }

    @ParameterizedTest(name = "batch {0}, sample {1}, mean {2}")
    @CsvSource({
        "1, 3x4x5, 0", "1, 13, 0", "3, 7, 0", "7, 5x3x3, 0", "2, 17x9x11, 1.5", "5, 3x33x33, -4", "4, 2x1x1, 0", "9, 19x4x4, 20",
        "2, 2x40x40, 0", "6, 10, 3"})
    void everyPassMatchesTheDoubleReferenceForBothElementTypes(int batch, String sample, double mean) {
        int[] dims = java.util.Arrays.stream(sample.split("x")).mapToInt(Integer::parseInt).toArray();
        Shape sampleShape = Shape.of(dims);
        int channels = dims[0];
        int inner = sampleShape.size() / channels;
        for (DType dtype : DType.values()) {
            for (boolean training : new boolean[] {true, false}) {
                Rng rng = new Rng(batch * 31L + sample.hashCode());
                BatchNorm bn = new BatchNorm(0.2, 1e-3);
                bn.named("bn").build(sampleShape, dtype, new Rng(1));
                double[][] perChannel = new double[4][channels];
                for (int c = 0; c < channels; c++) {
                    perChannel[0][c] = rng.uniform(0.5, 2);
                    perChannel[1][c] = rng.uniform(-1, 1);
                    perChannel[2][c] = mean + rng.uniform(-1, 1);
                    perChannel[3][c] = rng.uniform(0.5, 3);
                    for (int p = 0; p < 4; p++) {
                        bn.parameters().get(p).value().set(c, perChannel[p][c]);
                        // What the layer holds: the values rounded to its element type.
                        perChannel[p][c] = bn.parameters().get(p).value().get(c);
                    }
                }
                Tensor x = random(rng, dtype, sampleShape.withBatch(batch), mean, 2);
                Tensor dy = random(rng, dtype, sampleShape.withBatch(batch), 0.3, 1);
                Pass expected = reference(x.toDoubleArray(), dy.toDoubleArray(), batch, channels, inner, perChannel[0], perChannel[1], perChannel[2],
                        perChannel[3], 0.2, 1e-3, training);
                double[] y = bn.forward(x, training).toDoubleArray();
                double[] dx = bn.backward(dy, true).toDoubleArray();
                String what = dtype + (training ? " training" : " evaluation") + ", batch " + batch + " of " + sampleShape;
                // Float: a few roundings of values normalised to O(1); a mean of 20 costs its ulp of 20/σ in x̂ itself.
                double tolerance = dtype == DType.F64 ? 1e-12 : 2e-6 * (1 + Math.abs(mean));
                assertClose(expected.y(), y, tolerance, what + " y");
                assertClose(expected.runningMean(), bn.parameters().get(2).value().toDoubleArray(), tolerance, what + " running mean");
                assertClose(expected.runningVar(), bn.parameters().get(3).value().toDoubleArray(), tolerance, what + " running var");
                assertClose(expected.dGamma(), bn.parameters().get(0).gradient().toDoubleArray(), tolerance, what + " dγ");
                assertClose(expected.dBeta(), bn.parameters().get(1).gradient().toDoubleArray(), tolerance, what + " dβ");
                // dx subtracts two means from dy: its float error is relative to |dy|, not to the (smaller) result.
                assertClose(expected.dx(), dx, tolerance * 4, what + " dx");
            }
        }
    }
}
