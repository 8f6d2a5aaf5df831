package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleGemmKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.GemmSpec;
import java.util.SplittableRandom;

/** Random operands for one spec and M, run through a kernel and held against {@link ReferenceGemm}. */
final class GemmCase {

    final GemmSpec spec;
    final int m;
    final double[] a;
    final double[] b;
    final double[] bias;
    final double[] c0;

    GemmCase(GemmSpec spec, int m, long seed) {
        this.spec = spec;
        this.m = m;
        SplittableRandom random = new SplittableRandom(seed);
        a = random(random, m * spec.k());
        b = random(random, spec.k() * spec.n());
        bias = spec.bias() ? random(random, spec.n()) : null;
        c0 = random(random, m * spec.n());
    }

    private static double[] random(SplittableRandom random, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            // Values exactly representable in float, so both precisions see the same inputs.
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }

    static float[] toFloat(double[] x) {
        if (x == null) {
            return null;
        }
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    /** Runs a float kernel; the operands sit at an offset inside larger arrays to check offset handling. */
    float[] runFloat(FloatGemmKernel kernel) {
        int offset = 3;
        float[] fa = shifted(toFloat(a), offset);
        float[] fb = shifted(toFloat(b), offset);
        float[] fc = shifted(toFloat(c0), offset);
        kernel.gemm(m, fa, offset, fb, offset, toFloat(bias), fc, offset);
        return java.util.Arrays.copyOfRange(fc, offset, offset + m * spec.n());
    }

    double[] runDouble(DoubleGemmKernel kernel) {
        double[] c = c0.clone();
        kernel.gemm(m, a.clone(), 0, b.clone(), 0, bias == null ? null : bias.clone(), c, 0);
        return c;
    }

    private static float[] shifted(float[] x, int offset) {
        float[] y = new float[x.length + offset + 5];
        System.arraycopy(x, 0, y, offset, x.length);
        return y;
    }

    /** Runs the kernel for the spec's element type and fails with the first element out of tolerance. */
    void check(Kernel kernel) {
        double[] expected = ReferenceGemm.multiply(spec, m, a, b, bias, c0);
        double[] mag = ReferenceGemm.magnitude(spec, m, a, b, bias, c0);
        double[] actual;
        double relative;
        if (spec.elementType() == DType.F32) {
            float[] got = runFloat((FloatGemmKernel) kernel);
            actual = new double[got.length];
            for (int i = 0; i < got.length; i++) {
                actual[i] = got[i];
            }
            // Each of the K+2 roundings of the FMA chain is at most one float ulp of the running magnitude.
            relative = (spec.k() + 2) * 0x1p-23;
        } else {
            actual = runDouble((DoubleGemmKernel) kernel);
            relative = 1e-12;
        }
        for (int i = 0; i < expected.length; i++) {
            double tolerance = spec.elementType() == DType.F32 ? relative * mag[i] : relative * Math.max(mag[i], 1e-300);
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                fail(spec.key() + " M=" + m + ": C[" + i / spec.n() + "][" + i % spec.n() + "] = " + actual[i] + ", expected "
                        + expected[i] + " within " + tolerance + " (kernel " + kernel.getClass().getSimpleName() + ")");
            }
        }
    }
}
