package io.simdnet.kernel.reference;

import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;

/**
 * The plain triple loop in double that every GEMM kernel is held against (BLIS's {@code ref_kernels}, here
 * for a whole spec): C = op(A)·op(B) (+ bias) (+ C₀ when the spec accumulates), row-major, layouts as in
 * {@link GemmForm}. Written for obviousness, not speed; the tests run it on small and medium shapes only.
 */
public final class ReferenceGemm {

    private ReferenceGemm() {
    }

    /** op(A)[i][k]: A is stored K×M for TN, else M×K. */
    public static double aAt(GemmSpec spec, double[] a, int m, int i, int k) {
        return spec.form() == GemmForm.TN ? a[k * m + i] : a[i * spec.k() + k];
    }

    /** op(B)[k][j]: B is stored N×K for NT, else K×N. */
    public static double bAt(GemmSpec spec, double[] b, int k, int j) {
        return spec.form() == GemmForm.NT ? b[j * spec.k() + k] : b[k * spec.n() + j];
    }

    /**
     * The m×N result; {@code bias} (length N) is read only when the spec has a bias and {@code c0} (m×N) only
     * when it accumulates.
     */
    public static double[] multiply(GemmSpec spec, int m, double[] a, double[] b, double[] bias, double[] c0) {
        double[] c = new double[m * spec.n()];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < spec.n(); j++) {
                double sum = spec.accumulate() ? c0[i * spec.n() + j] : 0;
                if (spec.bias()) {
                    sum += bias[j];
                }
                for (int k = 0; k < spec.k(); k++) {
                    sum += aAt(spec, a, m, i, k) * bAt(spec, b, k, j);
                }
                c[i * spec.n() + j] = sum;
            }
        }
        return c;
    }

    /**
     * Σ|terms| of each element of C, the scale a float result's rounding error is bounded by: the same
     * product taken over absolute values.
     */
    public static double[] magnitude(GemmSpec spec, int m, double[] a, double[] b, double[] bias, double[] c0) {
        return multiply(spec, m, ReferenceMath.abs(a), ReferenceMath.abs(b), ReferenceMath.abs(bias), ReferenceMath.abs(c0));
    }
}
