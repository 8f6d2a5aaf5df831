package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Shape;

/**
 * Normalises each sample over all its elements, with γ and β of the sample's shape: PyTorch's
 * {@code LayerNorm(normalized_shape = sample shape)}; for (features,) samples also Keras' {@code LayerNormalization()}.
 */
public final class LayerNorm extends SegmentNormalization {

    @Override
    protected int segments(Shape input) {
        return 1;
    }

    @Override
    protected int affineStride(Shape input) {
        return 1;
    }

    /** Sets ε (default 1e-5 as PyTorch; Keras' default is 1e-3). */
    @Override
    public LayerNorm epsilon(double value) {
        super.epsilon(value);
        return this;
    }
}
