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
    private BatchBuffer maskedGradient;
    private ElementwiseKernel kernel;
    private int lastBatch;
    private Tensor lastOutput;
    /** The gradient masked by the fused ReLU: computed for the first input, returned to the others of the same backward. */
    private Tensor masked;
    private boolean fusible = true;
    private boolean fusedRelu;

    /** Whether a ReLU after this join may be fused into it when the model is built (default true). */
    public Add fusible(boolean value) {
        this.fusible = value;
        return this;
    }

    public boolean fusible() {
        return fusible;
    }

    /** Whether the model fused the ReLU after this join into it: its output is then the ReLU's. */
    public boolean fusedRelu() {
        return fusedRelu;
    }

    /** Called by {@link Fusion} only, before the model's first call. */
    void fuseRelu() {
        this.fusedRelu = true;
    }

    @Override
    public String typeName() {
        return fusedRelu ? "Add+ReLU" : "Add";
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        output = new BatchBuffer(dtype(), input);
        maskedGradient = new BatchBuffer(dtype(), input);
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
        kernel.sum(inputs, inputs.length, y, fusedRelu);
        lastBatch = n;
        lastOutput = y;
        masked = null;
        return y;
    }

    @Override
    public Tensor backwardTo(int index, Tensor dy) {
        checkGradient(dy, lastBatch);
        if (!fusedRelu) {
            return dy;
        }
        // A model's backward asks for its inputs in order, from the first; a second backward after one forward (a
        // saliency map per class) may bring another dy, so the first input's call always masks it afresh.
        if (index == 0 || masked == null) {
            masked = maskedGradient.get(lastBatch);
            kernel.mask(lastOutput, dy, masked);
        }
        return masked;
    }
}
