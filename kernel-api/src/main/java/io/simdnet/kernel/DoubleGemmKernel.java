package io.simdnet.kernel;

import io.simdnet.kernel.spec.GemmSpec;

/** C (m×N) = op(A)·op(B) (+ bias) (+ C) in double; layouts as in {@link io.simdnet.kernel.spec.GemmForm}. */
public interface DoubleGemmKernel extends Kernel {

    @Override
    GemmSpec spec();

    /**
     * @param m rows of C (the batch-like dimension)
     * @param bias length N when the spec has a bias, else null
     * @throws IllegalArgumentException when an array is too short for its offset and the spec's sizes
     */
    void gemm(int m, double[] a, int aOffset, double[] b, int bOffset, double[] bias, double[] c, int cOffset);
}
