package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Shape;

/** Normalises each group of C/G channels of each sample; γ and β per channel (PyTorch's {@code GroupNorm(G, C)}). */
public final class GroupNorm extends SegmentNormalization {

    private final int groups;

    public GroupNorm(int groups) {
        if (groups <= 0) {
            throw new IllegalArgumentException("GroupNorm: groups = " + groups + ", expected > 0");
        }
        this.groups = groups;
    }

    @Override
    protected int segments(Shape input) {
        int channels = input.dim(0);
        if (channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm \"" + name() + "\": " + channels + " channels do not split into " + groups + " groups");
        }
        return groups;
    }

    @Override
    protected int affineStride(Shape input) {
        return input.size() / input.dim(0);
    }

    /** Sets ε (default 1e-5 as PyTorch; Keras' default is 1e-3). */
    @Override
    public GroupNorm epsilon(double value) {
        super.epsilon(value);
        return this;
    }
}
