package io.simdnet.engine.kernel;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleGemmKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.reference.ReferenceGemm;
import io.simdnet.kernel.spec.GemmSpec;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Drives a GEMM kernel of either element type against {@link ReferenceGemm} for one spec: M rows (0 and up),
 * random operands from a seed, A, B and C at an offset inside larger arrays, C's neighbours checked untouched.
 * Float results must lie within (K+2)·2⁻²³·Σ|aᵢbᵢ| of the double reference.
 */
public final class GemmTester {

    /** Where the operands start inside their arrays, to check offset handling. */
    private static final int OFFSET = 3;

    private final GemmSpec spec;
    private int m = 1;
    private long seed = 1;
    private double[] a;
    private double[] b;
    private double[] bias;
    private double[] c0;

    GemmTester(GemmSpec spec) {
        this.spec = spec;
    }

    public GemmTester rows(int rows) {
        this.m = rows;
        a = null;
        return this;
    }

    public GemmTester seed(long newSeed) {
        this.seed = newSeed;
        a = null;
        return this;
    }

    private void operands() {
        if (a != null) {
            return;
        }
        SplittableRandom random = new SplittableRandom(seed);
        a = KernelTester.random(random, m * spec.k());
        b = KernelTester.random(random, spec.k() * spec.n());
        bias = spec.bias() ? KernelTester.random(random, spec.n()) : null;
        c0 = KernelTester.random(random, m * spec.n());
    }

    /** Runs the kernel for the spec's element type and fails with the first element out of tolerance. */
    public void test(Kernel kernel) {
        operands();
        double[] expected = ReferenceGemm.multiply(spec, m, a, b, bias, c0);
        double[] magnitude = ReferenceGemm.magnitude(spec, m, a, b, bias, c0);
        double[] actual = spec.elementType() == DType.F32 ? runFloatWithTail((FloatGemmKernel) kernel) : runDoubleWithTail((DoubleGemmKernel) kernel);
        String what = spec.key() + " M=" + m + " (kernel " + kernel.getClass().getSimpleName() + ") C";
        long terms = spec.k() + (spec.bias() ? 1 : 0) + (spec.accumulate() ? 1 : 0);
        KernelTester.assertWithinRounding(what, expected, magnitude, actual, terms, KernelTester.errorPerTerm(spec.elementType()));
    }

    /** {@link #test} for each row count in turn. */
    void testRows(Kernel kernel, int... rowCounts) {
        for (int rows : rowCounts) {
            rows(rows).test(kernel);
        }
    }

    /** C as a float kernel leaves it, for bit-for-bit comparisons between kernels or thread counts. */
    public float[] runFloat(FloatGemmKernel kernel) {
        operands();
        float[] fc = shifted(KernelTester.toFloat(c0), 0);
        kernel.gemm(m, shifted(KernelTester.toFloat(a), 0), OFFSET, shifted(KernelTester.toFloat(b), 0), OFFSET,
                KernelTester.toFloat(bias), fc, OFFSET);
        return Arrays.copyOfRange(fc, OFFSET, OFFSET + m * spec.n());
    }

    /** C₀ when the spec accumulates, else NaN: a kernel that reads C or leaves an element unwritten fails. */
    private double[] initialC() {
        if (spec.accumulate()) {
            return c0;
        }
        double[] nan = new double[c0.length];
        Arrays.fill(nan, Double.NaN);
        return nan;
    }

    /** C (from OFFSET on, tail included) after the call. */
    private double[] runFloatWithTail(FloatGemmKernel kernel) {
        float[] fc = shifted(KernelTester.toFloat(initialC()), (float) KernelTester.SENTINEL);
        kernel.gemm(m, shifted(KernelTester.toFloat(a), 0), OFFSET, shifted(KernelTester.toFloat(b), 0), OFFSET,
                KernelTester.toFloat(bias), fc, OFFSET);
        assertHeadUntouched(fc[0] == (float) KernelTester.SENTINEL && fc[1] == (float) KernelTester.SENTINEL
                && fc[2] == (float) KernelTester.SENTINEL);
        return KernelTester.toDouble(Arrays.copyOfRange(fc, OFFSET, fc.length));
    }

    private double[] runDoubleWithTail(DoubleGemmKernel kernel) {
        double[] c = shifted(initialC(), KernelTester.SENTINEL);
        kernel.gemm(m, shifted(a, 0), OFFSET, shifted(b, 0), OFFSET, bias == null ? null : bias.clone(), c, OFFSET);
        assertHeadUntouched(c[0] == KernelTester.SENTINEL && c[1] == KernelTester.SENTINEL && c[2] == KernelTester.SENTINEL);
        return Arrays.copyOfRange(c, OFFSET, c.length);
    }

    private void assertHeadUntouched(boolean untouched) {
        if (!untouched) {
            org.junit.jupiter.api.Assertions.fail(spec.key() + " M=" + m + ": the kernel wrote C before its offset " + OFFSET);
        }
    }

    /** x at OFFSET inside an array with {@code fill} before it and TAIL elements of {@code fill} after it. */
    private static float[] shifted(float[] x, float fill) {
        float[] y = new float[OFFSET + x.length + KernelTester.TAIL];
        Arrays.fill(y, fill);
        System.arraycopy(x, 0, y, OFFSET, x.length);
        return y;
    }

    private static double[] shifted(double[] x, double fill) {
        double[] y = new double[OFFSET + x.length + KernelTester.TAIL];
        Arrays.fill(y, fill);
        System.arraycopy(x, 0, y, OFFSET, x.length);
        return y;
    }
}
