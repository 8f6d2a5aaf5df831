package io.simdnet.kernel;

import io.simdnet.kernel.spec.GemmSpec;

/** C (m×N) = op(A)·op(B) (+ bias) (+ C) in float; layouts as in {@link io.simdnet.kernel.spec.GemmForm}. */
public interface FloatGemmKernel extends Kernel {

    @Override
    GemmSpec spec();

    /**
     * @param m rows of C (the batch-like dimension)
     * @param bias length N when the spec has a bias, else null
     * @throws IllegalArgumentException when an array is too short for its offset and the spec's sizes
     */
    void gemm(int m, float[] a, int aOffset, float[] b, int bOffset, float[] bias, float[] c, int cOffset);
}
