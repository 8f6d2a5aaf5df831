package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.util.SplittableRandom;

/**
 * The one way kernels are tested, in the spirit of XNNPACK's {@code GemmMicrokernelTester}: a tester per
 * kernel kind ({@link GemmTester}, {@link Conv2dTester}, {@link Pool2dTester}) takes a spec and the case's
 * knobs (rows or batch size, seed, values), runs any kernel of that kind and holds every output against the
 * double-precision reference in {@code io.simdnet.kernel.reference}. Outputs start as NaN, so an element the
 * kernel does not overwrite fails, and arrays carry a tail of sentinels past the sizes the spec implies, so
 * a write out of bounds fails too. This class holds what the three share.
 */
public final class KernelTester {

    /** Elements past the end of every output array, which a kernel must not touch. */
    static final int TAIL = 5;

    /** A value no kernel computes from the random operands, marking the tail. */
    static final double SENTINEL = -12345.0;

    /** A float result's error per term: each rounding is at most one float ulp (2u) of the running magnitude. */
    static final double FLOAT_ERROR_PER_TERM = 0x1p-23;

    /**
     * A double result's error per term: kernel and reference each round in double, and their products of
     * float-exact operands are exact, so the difference is at most 2u per addition.
     */
    static final double DOUBLE_ERROR_PER_TERM = 0x1p-52;

    private KernelTester() {
    }

    public static GemmTester gemm(GemmSpec spec) {
        return new GemmTester(spec);
    }

    static Conv2dTester conv2d(Conv2dSpec spec) {
        return new Conv2dTester(spec);
    }

    static Pool2dTester pool2d(Pool2dSpec spec) {
        return new Pool2dTester(spec);
    }

    static double errorPerTerm(DType type) {
        return type == DType.F32 ? FLOAT_ERROR_PER_TERM : DOUBLE_ERROR_PER_TERM;
    }

    /** Uniform in [-1, 1) and exactly representable in float, so both precisions see the same inputs. */
    static double[] random(SplittableRandom random, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
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

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** An output array of {@code length} NaNs followed by the sentinel tail. */
    static double[] output(int length) {
        double[] y = new double[length + TAIL];
        java.util.Arrays.fill(y, 0, length, Double.NaN);
        java.util.Arrays.fill(y, length, y.length, SENTINEL);
        return y;
    }

    static float[] floatOutput(int length) {
        return toFloat(output(length));
    }

    /**
     * Fails on the first element of {@code actual} farther from {@code expected} than
     * (terms + 2)·errorPerTerm·magnitude (Σ|products| of that element), or that is NaN where the reference is
     * not; then checks the tail past {@code expected.length} still holds the sentinel.
     */
    static void assertWithinRounding(String what, double[] expected, double[] magnitude, double[] actual, long terms, double errorPerTerm) {
        for (int i = 0; i < expected.length; i++) {
            double tolerance = (terms + 2) * errorPerTerm * magnitude[i];
            boolean bothNaN = Double.isNaN(expected[i]) && Double.isNaN(actual[i]);
            if (!bothNaN && !(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                fail(what + "[" + i + "] = " + actual[i] + ", expected " + expected[i] + " within " + tolerance
                        + (Double.isNaN(actual[i]) ? " (NaN: the kernel did not overwrite it, or computed NaN)" : ""));
            }
        }
        assertTailUntouched(what, actual, expected.length);
    }

    /** Fails unless {@code actual} starts with exactly the values of {@code expected} (NaN matching NaN) and its tail is intact. */
    static void assertSameValues(String what, double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Double.compare(expected[i], actual[i]) != 0 && !(expected[i] == 0 && actual[i] == 0)) {
                fail(what + "[" + i + "] = " + actual[i] + ", expected exactly " + expected[i]);
            }
        }
        assertTailUntouched(what, actual, expected.length);
    }

    static void assertTailUntouched(String what, double[] actual, int length) {
        for (int i = length; i < actual.length; i++) {
            if (actual[i] != SENTINEL) {
                fail(what + ": element " + i + " past the end (" + length + " elements) was written: " + actual[i]);
            }
        }
    }

    static void assertTailUntouched(String what, int[] actual, int length) {
        for (int i = length; i < actual.length; i++) {
            if (actual[i] != (int) SENTINEL) {
                fail(what + ": element " + i + " past the end (" + length + " elements) was written: " + actual[i]);
            }
        }
    }
}
