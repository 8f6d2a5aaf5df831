package io.simdnet.engine.layer;

import io.simdnet.codegen.spec.Pool2dSpec;
import io.simdnet.engine.tensor.Shape;

/** The mean of each channel: (N, C, H, W) → (N, C), as Keras' GlobalAveragePooling2D. */
public final class GlobalAvgPool extends Pooling {

    @Override
    protected Pool2dSpec spec(int channels, int height, int width) {
        return Pool2dSpec.globalAverage(dtype().elementType(), channels, height, width);
    }

    @Override
    protected Shape outputShape(Pool2dSpec spec) {
        return Shape.of(spec.channels());
    }
}
