package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/** The elementwise sum of two or more inputs of one shape: the join of a residual block. */
public final class Add extends MergeLayer {

    private BatchBuffer output;
    private int lastBatch;

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        output = new BatchBuffer(dtype(), input);
        return input;
    }

    @Override
    public Tensor forwardAll(Tensor[] inputs, boolean training) {
        if (inputs.length < 2) {
            throw new IllegalArgumentException("Add \"" + name() + "\": expects at least 2 inputs, got " + inputs.length);
        }
        for (Tensor x : inputs) {
            checkInput(x);
        }
        int n = inputs[0].batch();
        Tensor y = output.get(n);
        y.copyFrom(inputs[0]);
        for (int k = 1; k < inputs.length; k++) {
            y.add(inputs[k]);
        }
        lastBatch = n;
        return y;
    }

    @Override
    public Tensor backwardTo(int index, Tensor dy) {
        checkGradient(dy, lastBatch);
        return dy;
    }
}
