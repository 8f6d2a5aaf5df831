package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * A layer with several inputs, used in functional graphs. The graph calls {@link #forwardAll} and,
 * for each input, {@link #backwardTo}; the single-input methods are not used.
 */
public abstract class MergeLayer extends Layer {

    /**
     * The shape this layer is built for, from the shapes of its inputs: by default they must all be equal (an
     * element-wise join); a concatenation returns the joined shape.
     */
    public Shape combine(Shape[] inputs) {
        for (Shape s : inputs) {
            if (!s.equals(inputs[0])) {
                throw new IllegalArgumentException(typeName() + ": inputs have shapes " + inputs[0] + " and " + s + ", expected equal shapes");
            }
        }
        return inputs[0];
    }

    public abstract Tensor forwardAll(Tensor[] inputs, boolean training);

    /** dLoss/d(input {@code index}) given dLoss/dOutput; called once per input after each forward. */
    public abstract Tensor backwardTo(int index, Tensor dy);

    @Override
    public final Tensor forward(Tensor x, boolean training) {
        throw new UnsupportedOperationException(typeName() + " \"" + name() + "\" takes several inputs: use it in a functional graph");
    }

    @Override
    public final Tensor backward(Tensor dy, boolean needInputGradient) {
        throw new UnsupportedOperationException(typeName() + " \"" + name() + "\" takes several inputs: use it in a functional graph");
    }
}
