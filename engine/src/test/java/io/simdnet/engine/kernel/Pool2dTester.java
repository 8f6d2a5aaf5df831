package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.reference.ReferenceMath;
import io.simdnet.kernel.reference.ReferencePool2d;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Drives a pooling kernel (float or double) against {@link ReferencePool2d} for one spec and batch size (0 and
 * up): forward, the arg-max indices of max pooling (which must equal the reference's, so the tie rule is
 * checked whenever the values tie) and backward. The values of x are {@link Values#DISTINCT} (no ties),
 * {@link Values#TIES} (drawn from {-1, 0, 1}, so most windows tie) or {@link Values#WITH_NAN} (ties and
 * some NaNs, which max pooling must propagate).
 */
final class Pool2dTester {

    enum Values {
        DISTINCT,
        TIES,
        WITH_NAN
    }

    private final Pool2dSpec spec;
    private int n = 1;
    private long seed = 1;
    private Values values = Values.DISTINCT;

    Pool2dTester(Pool2dSpec spec) {
        this.spec = spec;
    }

    Pool2dTester batch(int images) {
        this.n = images;
        return this;
    }

    Pool2dTester seed(long newSeed) {
        this.seed = newSeed;
        return this;
    }

    Pool2dTester values(Values kind) {
        this.values = kind;
        return this;
    }

    private boolean max() {
        return spec.kind() == Pool2dSpec.Kind.MAX;
    }

    private double[] input(SplittableRandom random) {
        int n = this.n * spec.channels() * spec.height() * spec.width();
        if (values == Values.DISTINCT) {
            return distinctValues(random, n);
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            boolean nan = values == Values.WITH_NAN && random.nextInt(8) == 0;
            x[i] = nan ? Double.NaN : random.nextInt(3) - 1;
        }
        return x;
    }

    /** A shuffle of 0, 0.01, 0.02, … (shifted to centre on 0): no two values closer than 0.01, so max pooling has no ties. */
    static double[] distinctValues(SplittableRandom random, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (i * 0.01 - n * 0.005);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        return x;
    }

    private int outputs() {
        return n * spec.channels() * spec.outHeight() * spec.outWidth();
    }

    private int[] argmaxOutput() {
        if (!max()) {
            return null;
        }
        int[] argmax = new int[outputs() + KernelTester.TAIL];
        Arrays.fill(argmax, (int) KernelTester.SENTINEL);
        Arrays.fill(argmax, 0, outputs(), -1);
        return argmax;
    }

    void test(FloatPool2dKernel kernel) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = input(random);
        double[] dy = KernelTester.random(random, outputs());
        float[] y = KernelTester.floatOutput(outputs());
        int[] argmax = argmaxOutput();
        float[] dx = KernelTester.floatOutput(x.length);
        kernel.forward(n, KernelTester.toFloat(x), y, argmax);
        // Backward takes the reference's arg-max, so a wrong index shows in the argmax check, not twice.
        int[] expectedArgmax = ReferencePool2d.argmax(spec, n, x);
        kernel.backward(n, KernelTester.toFloat(dy), max() ? withTail(expectedArgmax) : null, dx);
        check(kernel.getClass().getSimpleName(), x, dy, expectedArgmax, KernelTester.toDouble(y), argmax, KernelTester.toDouble(dx), DType.F32);
    }

    void test(DoublePool2dKernel kernel) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = input(random);
        double[] dy = KernelTester.random(random, outputs());
        double[] y = KernelTester.output(outputs());
        int[] argmax = argmaxOutput();
        double[] dx = KernelTester.output(x.length);
        kernel.forward(n, x.clone(), y, argmax);
        int[] expectedArgmax = ReferencePool2d.argmax(spec, n, x);
        kernel.backward(n, dy.clone(), max() ? withTail(expectedArgmax) : null, dx);
        check(kernel.getClass().getSimpleName(), x, dy, expectedArgmax, y, argmax, dx, DType.F64);
    }

    private static int[] withTail(int[] argmax) {
        return Arrays.copyOf(argmax, argmax.length + KernelTester.TAIL);
    }

    private void check(String kernel, double[] x, double[] dy, int[] expectedArgmax, double[] y, int[] argmax, double[] dx, DType type) {
        String name = spec.key() + " n=" + n + " " + values + " (" + kernel + ") ";
        double eps = KernelTester.errorPerTerm(type);
        long window = (long) spec.kernelH() * spec.kernelW();
        double[] absX = ReferenceMath.abs(x);
        double[] absDy = ReferenceMath.abs(dy);
        if (max()) {
            for (int o = 0; o < outputs(); o++) {
                if (argmax[o] != expectedArgmax[o]) {
                    fail(name + "argmax[" + o + "] = " + argmax[o] + ", expected " + expectedArgmax[o]
                            + " (ties go to the first maximum in row-major window order, a NaN is the maximum)");
                }
            }
            KernelTester.assertTailUntouched(name + "argmax", argmax, outputs());
        }
        if (max()) {
            // A maximum is one of the inputs: no rounding at all.
            KernelTester.assertSameValues(name + "y", ReferencePool2d.forward(spec, n, x), y);
        } else {
            KernelTester.assertWithinRounding(name + "y", ReferencePool2d.forward(spec, n, x), ReferencePool2d.forward(spec, n, absX), y,
                    window, eps);
        }
        KernelTester.assertWithinRounding(name + "dx", ReferencePool2d.backward(spec, n, dy, expectedArgmax),
                ReferencePool2d.backward(spec, n, absDy, expectedArgmax), dx, window, eps);
    }

    /** {@link #test} for each batch size in turn, with the kernel of the spec's element type. */
    void testBatches(io.simdnet.kernel.Kernel kernel, int... batches) {
        for (int images : batches) {
            batch(images);
            if (kernel instanceof FloatPool2dKernel f && spec.elementType() == DType.F32) {
                test(f);
            } else {
                test((DoublePool2dKernel) kernel);
            }
        }
    }
}
