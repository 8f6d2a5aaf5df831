package io.simdnet.engine.model;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.ElementwiseKernel;
import io.simdnet.engine.layer.Fusion;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.MergeLayer;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A functional model: layers applied to earlier nodes, so a node may feed several layers and a merge layer may
 * join several nodes (residual blocks). Nodes run in the order they were added, which is a topological order.
 * Where a node feeds several layers its gradient is the sum of theirs, kept in a buffer of its own. Building fuses a
 * layer into the one layer reading its output where {@link Fusion} applies (a batch norm or a residual add and the ReLU after it).
 *
 * <pre>{@code
 * Graph.Builder g = Graph.input(16, 8, 8);
 * Graph.Node h = g.apply(new Conv2d(16, 3).padding(Padding.same()).relu(), g.inputNode());
 * Graph.Node y = g.apply(new Add(), g.apply(new Conv2d(16, 3).padding(Padding.same()), h), g.inputNode());
 * Graph model = g.build(y, DType.F32, 42);
 * }</pre>
 */
public final class Graph extends Model {

    /** A value in the graph: the input (index 0) or a layer's output. */
    public record Node(int index) {
    }

    private record Step(Layer layer, int[] inputs) {
    }

    private final List<Step> steps;
    private final List<Layer> layers;
    private final int outputNode;
    private final Shape outputShape;
    private final Tensor[] values;
    private final Tensor[] gradients;
    private final Tensor[][] mergeInputs;
    private final BatchBuffer[] gradientSums;
    /** Adds the gradients of a node's consumers: vectorised, over the kernel pool. */
    private final ElementwiseKernel elementwise = new ElementwiseKernel();

    private Graph(Shape inputShape, DType dtype, List<Step> steps, Shape[] shapes, int outputNode) {
        super(inputShape, dtype);
        this.steps = steps;
        this.layers = steps.stream().map(Step::layer).toList();
        this.outputNode = outputNode;
        this.outputShape = shapes[outputNode];
        this.values = new Tensor[steps.size() + 1];
        this.gradients = new Tensor[steps.size() + 1];
        this.mergeInputs = new Tensor[steps.size() + 1][];
        int[] consumers = new int[steps.size() + 1];
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            for (int input : step.inputs()) {
                consumers[input]++;
            }
            if (step.layer() instanceof MergeLayer) {
                mergeInputs[i + 1] = new Tensor[step.inputs().length];
            }
        }
        this.gradientSums = new BatchBuffer[steps.size() + 1];
        for (int node = 0; node < consumers.length; node++) {
            if (consumers[node] > 1) {
                gradientSums[node] = new BatchBuffer(dtype, shapes[node]);
            }
        }
    }

    public static Builder input(int... dims) {
        return new Builder(Shape.of(dims));
    }

    public static final class Builder {
        private final Shape inputShape;
        private final List<Step> steps = new ArrayList<>();

        private Builder(Shape inputShape) {
            this.inputShape = inputShape;
        }

        public Node inputNode() {
            return new Node(0);
        }

        /** The node holding {@code layer}'s output on {@code inputs} (one, or several for a merge layer). */
        public Node apply(Layer layer, Node... inputs) {
            if (inputs.length == 0) {
                throw new IllegalArgumentException(layer.typeName() + ": needs at least one input node");
            }
            if (!(layer instanceof MergeLayer) && inputs.length != 1) {
                throw new IllegalArgumentException(layer.typeName() + " takes one input, got " + inputs.length);
            }
            for (Node input : inputs) {
                if (input.index() < 0 || input.index() > steps.size()) {
                    throw new IllegalArgumentException(layer.typeName() + ": input node " + input.index() + " is not in this graph");
                }
            }
            for (Step step : steps) {
                if (step.layer() == layer) {
                    throw new IllegalArgumentException(layer.typeName() + ": this layer instance is already in the graph; shared layers are not supported");
                }
            }
            steps.add(new Step(layer, Arrays.stream(inputs).mapToInt(Node::index).toArray()));
            return new Node(steps.size());
        }

        public Graph build(Node output, DType dtype, long seed) {
            if (steps.isEmpty()) {
                throw new IllegalStateException("Graph model has no layers");
            }
            LayerNames.assign(steps.stream().map(Step::layer).toList());
            Rng rng = new Rng(seed);
            Shape[] shapes = new Shape[steps.size() + 1];
            shapes[0] = inputShape;
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                Shape in = shapes[step.inputs()[0]];
                try {
                    if (step.layer() instanceof MergeLayer merge) {
                        in = merge.combine(Arrays.stream(step.inputs()).mapToObj(k -> shapes[k]).toArray(Shape[]::new));
                    }
                    shapes[i + 1] = step.layer().build(in, dtype, rng.split());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Layer \"" + step.layer().name() + "\" (" + step.layer().typeName() + ") on input " + in
                            + ": " + e.getMessage(), e);
                }
            }
            fuse(output.index());
            return new Graph(inputShape, dtype, List.copyOf(steps), shapes, output.index());
        }

        /** Fuses each layer into the one layer that reads its output ({@link Fusion}), unless that output is the model's. */
        private void fuse(int outputNode) {
            int[] consumers = new int[steps.size() + 1];
            for (Step step : steps) {
                for (int input : step.inputs()) {
                    consumers[input]++;
                }
            }
            for (Step step : steps) {
                int input = step.inputs()[0];
                if (step.inputs().length == 1 && input > 0 && input != outputNode && consumers[input] == 1) {
                    Fusion.fuse(steps.get(input - 1).layer(), step.layer());
                }
            }
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkBatch(x);
        values[0] = x.dtype() == dtype() ? x : x.to(dtype());
        Profiler profiler = profiler();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            long start = profiler == null ? 0 : profiler.layerStarts(profileRow(i, false));
            if (step.layer() instanceof MergeLayer merge) {
                Tensor[] inputs = mergeInputs[i + 1];
                for (int k = 0; k < inputs.length; k++) {
                    inputs[k] = values[step.inputs()[k]];
                }
                values[i + 1] = merge.forwardAll(inputs, training);
            } else {
                values[i + 1] = step.layer().forward(values[step.inputs()[0]], training);
            }
            if (profiler != null) {
                profiler.layerEnds(profileRow(i, false), start);
            }
        }
        return values[outputNode];
    }

    @Override
    public Tensor backward(Tensor outputGradient, boolean inputGradient) {
        Arrays.fill(gradients, null);
        gradients[outputNode] = outputGradient;
        Profiler profiler = profiler();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Tensor dy = gradients[i + 1];
            if (dy == null) {
                continue;
            }
            Step step = steps.get(i);
            for (int k = 0; k < step.inputs().length; k++) {
                int input = step.inputs()[k];
                boolean needed = input != 0 || inputGradient;
                // The layer's row also takes the adding of its input gradient into a node that feeds several layers.
                long start = profiler == null ? 0 : profiler.layerStarts(profileRow(i, true));
                Tensor dx = step.layer() instanceof MergeLayer merge ? merge.backwardTo(k, dy) : step.layer().backward(dy, needed);
                if (needed) {
                    accumulate(input, dx);
                }
                if (profiler != null) {
                    profiler.layerEnds(profileRow(i, true), start);
                }
            }
        }
        return inputGradient ? gradients[0] : null;
    }

    @Override
    protected Tensor lastOutput(int index) {
        return values[index + 1];
    }

    private void accumulate(int node, Tensor contribution) {
        BatchBuffer sum = gradientSums[node];
        if (sum == null) {
            gradients[node] = contribution;
            return;
        }
        if (gradients[node] == null) {
            Tensor owned = sum.get(contribution.batch());
            owned.copyFrom(contribution);
            gradients[node] = owned;
            return;
        }
        elementwise.add(gradients[node], contribution);
    }

    @Override
    protected Model replicate() {
        List<Step> copies = new ArrayList<>();
        Shape[] shapes = new Shape[steps.size() + 1];
        shapes[0] = inputShape();
        Rng unused = new Rng(0);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            Layer copy = step.layer().replica();
            shapes[i + 1] = copy.build(shapes[step.inputs()[0]], dtype(), unused.split());
            copies.add(new Step(copy, step.inputs()));
        }
        return new Graph(inputShape(), dtype(), List.copyOf(copies), shapes, outputNode);
    }

    @Override
    public List<Layer> layers() {
        return layers;
    }

    @Override
    public Shape outputShape() {
        return outputShape;
    }

    /** The names of the layers (or {@code input}) feeding {@code layer}. */
    public List<String> inputsOf(Layer layer) {
        for (Step step : steps) {
            if (step.layer() == layer) {
                return Arrays.stream(step.inputs()).mapToObj(i -> i == 0 ? "input" : steps.get(i - 1).layer().name()).toList();
            }
        }
        throw new IllegalArgumentException("Layer \"" + layer.name() + "\" is not in this graph");
    }
}
