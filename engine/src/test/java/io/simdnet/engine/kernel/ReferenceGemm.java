package io.simdnet.engine.kernel;

import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;

/** The plain triple loop in double that every GEMM kernel is checked against, plus the error bound of float. */
final class ReferenceGemm {

    private ReferenceGemm() {
    }

    static double aAt(GemmSpec spec, double[] a, int m, int i, int k) {
        return spec.form() == GemmForm.TN ? a[k * m + i] : a[i * spec.k() + k];
    }

    static double bAt(GemmSpec spec, double[] b, int k, int j) {
        return spec.form() == GemmForm.NT ? b[j * spec.k() + k] : b[k * spec.n() + j];
    }

    /** C = op(A)·op(B) (+ bias) (+ c0 when accumulating), in double. */
    static double[] multiply(GemmSpec spec, int m, double[] a, double[] b, double[] bias, double[] c0) {
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

    /** Σ|terms| of each element: float error is bounded by about K·ε times this. */
    static double[] magnitude(GemmSpec spec, int m, double[] a, double[] b, double[] bias, double[] c0) {
        double[] mag = new double[m * spec.n()];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < spec.n(); j++) {
                double sum = (spec.accumulate() ? Math.abs(c0[i * spec.n() + j]) : 0) + (spec.bias() ? Math.abs(bias[j]) : 0);
                for (int k = 0; k < spec.k(); k++) {
                    sum += Math.abs(aAt(spec, a, m, i, k) * bAt(spec, b, k, j));
                }
                mag[i * spec.n() + j] = sum;
            }
        }
        return mag;
    }
}
