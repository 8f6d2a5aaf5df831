package io.simdnet.engine.layer;

import io.simdnet.kernel.spec.Pool2dSpec;

/** Average pooling over NCHW; padding counts as zeros in the average (PyTorch's count_include_pad=True). */
public final class AvgPool2d extends Pooling {

    private final int kernel;
    private final int stride;
    private final int padding;

    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    protected Pool2dSpec spec(int channels, int height, int width) {
        return Pool2dSpec.average(dtype(), channels, height, width, kernel, stride, padding);
    }
}
