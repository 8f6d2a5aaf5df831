package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * Joins two or more inputs along the channel axis (the sample's first: channels of NCHW, features of (N, D)), as
 * {@code torch.cat(xs, dim=1)} or Keras' {@code Concatenate(axis=1)} on channels-first data: the DenseNet block's
 * join. The other axes must agree. Built by the graph from every input's shape ({@link #combine}).
 */
public final class Concatenate extends MergeLayer {

    private int[] sampleSizes;
    private Shape[] inputShapes;
    private BatchBuffer output;
    private BatchBuffer[] inputGradients;
    private int lastBatch;

    @Override
    public Shape combine(Shape[] inputs) {
        if (inputs.length < 2) {
            throw new IllegalArgumentException("Concatenate: expects at least 2 inputs, got " + inputs.length);
        }
        int[] first = inputs[0].toArray();
        int channels = 0;
        for (Shape s : inputs) {
            int[] d = s.toArray();
            if (d.length != first.length || !Arrays.equals(d, 1, d.length, first, 1, first.length)) {
                throw new IllegalArgumentException("Concatenate: inputs " + Arrays.toString(inputs)
                        + " differ in an axis other than the first (channels); expected equal (height, width)");
            }
            channels += d[0];
        }
        inputShapes = inputs.clone();
        int[] joined = first.clone();
        joined[0] = channels;
        return Shape.of(joined);
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (inputShapes == null) {
            throw new IllegalStateException("Concatenate \"" + name() + "\": build it in a functional graph, which gives it every input's shape");
        }
        sampleSizes = new int[inputShapes.length];
        inputGradients = new BatchBuffer[inputShapes.length];
        for (int k = 0; k < inputShapes.length; k++) {
            sampleSizes[k] = inputShapes[k].size();
            inputGradients[k] = new BatchBuffer(dtype(), inputShapes[k]);
        }
        output = new BatchBuffer(dtype(), input);
        return input;
    }

    @Override
    public Tensor forwardAll(Tensor[] inputs, boolean training) {
        if (inputs.length != sampleSizes.length) {
            throw new IllegalArgumentException("Concatenate \"" + name() + "\": built for " + sampleSizes.length + " inputs, got " + inputs.length);
        }
        int n = inputs[0].batch();
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k].dtype() != dtype() || !inputs[k].shape().isBatchOf(inputShapes[k]) || inputs[k].batch() != n) {
                throw new IllegalArgumentException("Concatenate \"" + name() + "\": input " + k + " is " + inputs[k] + ", expected a batch of "
                        + n + " samples of shape " + inputShapes[k] + " (" + dtype() + ")");
            }
        }
        Tensor y = output.get(n);
        int total = outputShape().size();
        for (int s = 0; s < n; s++) {
            int at = s * total;
            for (int k = 0; k < inputs.length; k++) {
                Tensor.copy(inputs[k], s * sampleSizes[k], y, at, sampleSizes[k]);
                at += sampleSizes[k];
            }
        }
        lastBatch = n;
        return y;
    }

    @Override
    public Tensor backwardTo(int index, Tensor dy) {
        checkGradient(dy, lastBatch);
        Tensor dx = inputGradients[index].get(lastBatch);
        int total = outputShape().size();
        int offset = 0;
        for (int k = 0; k < index; k++) {
            offset += sampleSizes[k];
        }
        for (int s = 0; s < lastBatch; s++) {
            Tensor.copy(dy, s * total + offset, dx, s * sampleSizes[index], sampleSizes[index]);
        }
        return dx;
    }
}
