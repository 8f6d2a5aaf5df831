package io.simdnet.engine.layer;

import io.simdnet.kernel.spec.Pool2dSpec;

/**
 * Max pooling over NCHW; stride defaults to the kernel size, as in PyTorch and Keras. Ties send the gradient
 * to the first maximum of the window in row-major order.
 */
public final class MaxPool2d extends Pooling {

    private final int kernel;
    private final int stride;
    private final int padding;

    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    protected Pool2dSpec spec(int channels, int height, int width) {
        return Pool2dSpec.max(dtype(), channels, height, width, kernel, stride, padding);
    }
}
