package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.kernel.spec.Pool2dSpec;

/** The mean of each channel: (N, C, H, W) → (N, C), as Keras' GlobalAveragePooling2D. */
public final class GlobalAvgPool extends Pooling {

    @Override
    protected Pool2dSpec spec(int channels, int height, int width) {
        return Pool2dSpec.globalAverage(dtype(), channels, height, width);
    }

    @Override
    protected Shape outputShape(Pool2dSpec spec) {
        return Shape.of(spec.channels());
    }
}
