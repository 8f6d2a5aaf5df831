package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.ElementwiseKernel;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * The elementwise sum of two or more inputs of one shape: the join of a residual block. One vectorised pass over all
 * inputs, split over the kernel pool; the inputs are added in order, so any split gives the same sums.
 */
public final class Add extends MergeLayer {

    private BatchBuffer output;
    private ElementwiseKernel kernel;
    private int lastBatch;

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        output = new BatchBuffer(dtype(), input);
        // Its own, not the original's through a replica's shallow copy: it holds the current call's arguments.
        kernel = new ElementwiseKernel();
        return input;
    }

    @Override
    public Tensor forwardAll(Tensor[] inputs, boolean training) {
        if (inputs.length < 2) {
            throw new IllegalArgumentException("Add \"" + name() + "\": expects at least 2 inputs, got " + inputs.length);
        }
        int n = inputs[0].batch();
        for (Tensor x : inputs) {
            checkInput(x);
            if (x.batch() != n) {
                throw new IllegalArgumentException("Add \"" + name() + "\": inputs have batches " + n + " and " + x.batch() + ", expected equal batches");
            }
        }
        Tensor y = output.get(n);
        kernel.sum(inputs, inputs.length, y);
        lastBatch = n;
        return y;
    }

    @Override
    public Tensor backwardTo(int index, Tensor dy) {
        checkGradient(dy, lastBatch);
        return dy;
    }
}
