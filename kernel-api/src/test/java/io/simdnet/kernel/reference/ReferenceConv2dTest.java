package io.simdnet.kernel.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class ReferenceConv2dTest {

    /** 1×3×3 input 1..9, one 2×2 kernel. */
    private static final double[] X = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    private static final double[] W = {1, 0, 0, -1};

    @Test
    void forwardMatchesAHandComputedCrossCorrelation() {
        // PyTorch's conv2d is a cross-correlation: y[i][j] = x[i][j] − x[i+1][j+1] = −4 everywhere, plus bias 10.
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f64 c=1 h=3 w=3 oc=1 kh=2 kw=2");
        assertArrayEquals(new double[] {6, 6, 6, 6}, ReferenceConv2d.forward(spec, 1, X, W, new double[] {10}));
    }

    @Test
    void paddingReadsZerosAndStrideSkipsOutputs() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f64 c=1 h=3 w=3 oc=1 kh=2 kw=2 pad=1 sh=2 bias=false");
        // Outputs at rows/cols −1 and 1 of the padded input: (−1,−1) sees only x[0][0] at tap (1,1).
        assertArrayEquals(new double[] {-1, -3, -7, 5 - 9}, ReferenceConv2d.forward(spec, 1, X, W, null));
    }

    @Test
    void fusedReluClampsTheOutputAtZero() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f64 c=1 h=3 w=3 oc=1 kh=2 kw=2 relu=true");
        assertArrayEquals(new double[] {0, 0, 0, 0}, ReferenceConv2d.forward(spec, 1, X, W, new double[] {1}));
        assertArrayEquals(new double[] {2, 2, 2, 2}, ReferenceConv2d.forward(spec, 1, X, W, new double[] {6}));
    }

    @Test
    void anEmptyBatchHasZeroWeightAndBiasGradients() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f64 c=2 h=4 w=4 oc=3 kh=3 kw=3");
        assertArrayEquals(new double[3 * 18], ReferenceConv2d.backwardWeights(spec, 0, new double[0], new double[0]));
        assertArrayEquals(new double[3], ReferenceConv2d.backwardBias(spec, 0, new double[0]));
    }

    @Test
    void gradientsMatchCentredFiniteDifferences() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f64 c=2 h=5 w=4 oc=3 kh=3 kw=2 sh=2 sw=1 pt=1 pb=0 pl=1 pr=1");
        SplittableRandom random = new SplittableRandom(5);
        int n = 2;
        double[] x = random(random, n * 2 * 5 * 4);
        double[] w = random(random, 3 * spec.patchSize());
        double[] b = random(random, 3);
        double[] g = random(random, n * 3 * spec.outHeight() * spec.outWidth());
        DoubleSupplier loss = () -> dot(ReferenceConv2d.forward(spec, n, x, w, b), g);
        checkByFiniteDifferences(x, ReferenceConv2d.backwardData(spec, n, g, w), loss);
        checkByFiniteDifferences(w, ReferenceConv2d.backwardWeights(spec, n, x, g), loss);
        checkByFiniteDifferences(b, ReferenceConv2d.backwardBias(spec, n, g), loss);
    }

    private static void checkByFiniteDifferences(double[] param, double[] analytic, DoubleSupplier loss) {
        // Σ y·g is linear in each argument, so the centred difference has no truncation error.
        double h = 1e-3;
        for (int i = 0; i < param.length; i++) {
            double saved = param[i];
            param[i] = saved + h;
            double plus = loss.getAsDouble();
            param[i] = saved - h;
            double minus = loss.getAsDouble();
            param[i] = saved;
            assertEquals((plus - minus) / (2 * h), analytic[i], 1e-9, "element " + i);
        }
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double[] random(SplittableRandom random, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextDouble() * 2 - 1;
        }
        return x;
    }
}
