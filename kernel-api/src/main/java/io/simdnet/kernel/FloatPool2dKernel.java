package io.simdnet.kernel;

import io.simdnet.kernel.spec.Pool2dSpec;

/**
 * 2-D max or average pooling in float over NCHW activations; {@code n} is the batch size. Max pooling records,
 * per output, the index into x of the element it took ({@code argmax}, same length as y), which backward
 * routes the gradient to; average pooling takes null there.
 */
public interface FloatPool2dKernel extends Kernel {

    @Override
    Pool2dSpec spec();

    void forward(int n, float[] x, float[] y, int[] argmax);

    /** dx = the gradient with respect to x, given dy; overwritten. */
    void backward(int n, float[] dy, int[] argmax, float[] dx);
}
