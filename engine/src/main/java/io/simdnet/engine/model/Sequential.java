package io.simdnet.engine.model;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Fusion;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.MergeLayer;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * A chain of layers, each feeding the next, built Keras style:
 * {@code Sequential.input(1, 28, 28).add(new Conv2d(6, 5).padding(Padding.same())).add(new Relu())...build(DType.F32, seed)}.
 * Each layer gets its own split of the seed's random stream, in order. Building fuses neighbours where {@link Fusion}
 * applies (a batch norm and the ReLU after it; in a Graph a residual add too).
 */
public final class Sequential extends Model {

    private final List<Layer> layers;
    private final Shape outputShape;
    private final int firstWithParameters;
    private final Tensor[] outputs;

    private Sequential(Shape inputShape, DType dtype, List<Layer> layers, Shape outputShape) {
        super(inputShape, dtype);
        this.layers = List.copyOf(layers);
        this.outputShape = outputShape;
        int first = 0;
        while (first < layers.size() - 1 && layers.get(first).parameters().isEmpty()) {
            first++;
        }
        this.firstWithParameters = first;
        this.outputs = new Tensor[layers.size()];
    }

    /** Starts a model whose samples have shape {@code dims} (without the batch dimension). */
    public static Builder input(int... dims) {
        return new Builder(Shape.of(dims));
    }

    public static final class Builder {
        private final Shape inputShape;
        private final List<Layer> layers = new ArrayList<>();

        private Builder(Shape inputShape) {
            this.inputShape = inputShape;
        }

        public Builder add(Layer layer) {
            if (layer instanceof MergeLayer) {
                throw new IllegalArgumentException(layer.typeName() + " takes several inputs; build the model with Graph instead of Sequential");
            }
            layers.add(layer);
            return this;
        }

        /** Builds every layer for {@code dtype}, initialising parameters from {@code seed}. */
        public Sequential build(DType dtype, long seed) {
            if (layers.isEmpty()) {
                throw new IllegalStateException("Sequential model has no layers");
            }
            LayerNames.assign(layers);
            Rng rng = new Rng(seed);
            Shape shape = inputShape;
            for (Layer layer : layers) {
                try {
                    shape = layer.build(shape, dtype, rng.split());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Layer \"" + layer.name() + "\" (" + layer.typeName() + ") on input " + shape + ": "
                            + e.getMessage(), e);
                }
            }
            for (int i = 0; i + 1 < layers.size(); i++) {
                Fusion.fuse(layers.get(i), layers.get(i + 1));
            }
            return new Sequential(inputShape, dtype, layers, shape);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkBatch(x);
        Tensor out = x.dtype() == dtype() ? x : x.to(dtype());
        Profiler profiler = profiler();
        for (int i = 0; i < layers.size(); i++) {
            long start = profiler == null ? 0 : profiler.layerStarts(profileRow(i, false));
            out = layers.get(i).forward(out, training);
            if (profiler != null) {
                profiler.layerEnds(profileRow(i, false), start);
            }
            outputs[i] = out;
        }
        return out;
    }

    @Override
    public Tensor backward(Tensor outputGradient, boolean inputGradient) {
        // Without an input gradient, layers before the first one with parameters (a Flatten, a Dropout on the
        // input) need no gradient, so back-propagation stops there and the first dense layer skips its dX GEMM.
        int last = inputGradient ? 0 : firstWithParameters;
        Tensor gradient = outputGradient;
        Profiler profiler = profiler();
        for (int i = layers.size() - 1; i >= last; i--) {
            long start = profiler == null ? 0 : profiler.layerStarts(profileRow(i, true));
            gradient = layers.get(i).backward(gradient, inputGradient || i > last);
            if (profiler != null) {
                profiler.layerEnds(profileRow(i, true), start);
            }
        }
        return inputGradient ? gradient : null;
    }

    @Override
    protected Tensor lastOutput(int index) {
        return outputs[index];
    }

    @Override
    protected Model replicate() {
        List<Layer> copies = new ArrayList<>();
        Shape shape = inputShape();
        Rng unused = new Rng(0);
        for (Layer layer : layers) {
            Layer copy = layer.replica();
            shape = copy.build(shape, dtype(), unused.split());
            copies.add(copy);
        }
        return new Sequential(inputShape(), dtype(), copies, shape);
    }

    @Override
    public List<Layer> layers() {
        return layers;
    }

    @Override
    public Shape outputShape() {
        return outputShape;
    }
}
