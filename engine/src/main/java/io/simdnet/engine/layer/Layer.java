package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.List;

/**
 * One step of a network: forward, backward, its parameters and their gradients. A layer is configured when
 * constructed and built once by its model, which tells it the input sample shape (without the batch), the
 * element type and a random stream; building allocates parameters and looks up kernels.
 *
 * <p>Tensors passed between layers belong to the layer that wrote them and stay valid until its next call, so a
 * training step allocates nothing once every batch size has been seen. Backward overwrites parameter gradients
 * (one backward per forward); a layer instance belongs to one place in one model.
 */
public abstract class Layer implements Cloneable {

    private String name;
    private DType dtype;
    private Shape inputShape;
    private Shape outputShape;

    /** The layer's name in its model (Keras style: {@code conv2d_1}); null until the model names it. */
    public final String name() {
        return name;
    }

    /** Sets the name; the model keeps user-given names and names the others by type. */
    public Layer named(String newName) {
        if (newName == null || newName.isBlank() || newName.contains(".")) {
            throw new IllegalArgumentException("Layer name \"" + newName + "\": expected a non-empty name without '.'");
        }
        this.name = newName;
        return this;
    }

    /** The type as printed by {@code summary()}. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /**
     * The layer's own random stream (dropout masks), which a training checkpoint saves and a resumed run restores;
     * null when the layer draws nothing after it is built.
     */
    public Rng randomStream() {
        return null;
    }

    /**
     * While a replica is built, its original's parameters by full name, which {@link #shared} hands out instead of
     * new ones, and whether the replica keeps gradients of its own (a micro-batch replica) or shares them too.
     */
    private record Sharing(java.util.Map<String, Parameter> parameters, boolean ownGradients) {
    }

    private static final ThreadLocal<Sharing> SHARING = new ThreadLocal<>();

    /** Whether this layer belongs to a micro-batch replica (see {@link #buildSharing(java.util.Map, boolean, java.util.function.Supplier)}). */
    private boolean microBatchReplica;

    /**
     * A copy of this built layer, unbuilt again, for a replica of its model ({@code Model.newInference},
     * {@code Model.microBatchReplica}): same configuration and name; building it (inside {@link #buildSharing})
     * allocates its own buffers but takes this layer's parameters.
     */
    public final Layer replica() {
        try {
            Layer copy = (Layer) super.clone();
            copy.dtype = null;
            copy.inputShape = null;
            copy.outputShape = null;
            copy.microBatchReplica = false;
            copy.onReplicate();
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("Layer is Cloneable", e);
        }
    }

    /**
     * Clears what a shallow copy would otherwise share with the original and {@link #onBuild} does not reallocate:
     * scratch arrays grown on demand. Overridden by the layers that have them.
     */
    protected void onReplicate() {
    }

    /** Runs {@code builds} (replica layers' {@code build} calls) so that they take {@code parameters} (full name → parameter). */
    public static <T> T buildSharing(java.util.Map<String, Parameter> parameters, java.util.function.Supplier<T> builds) {
        return buildSharing(parameters, false, builds);
    }

    /**
     * Runs {@code builds} so that the replica layers take the values of {@code parameters} (full name → parameter);
     * with {@code ownGradients} each trainable parameter gets a gradient of its own, which its backward writes (one
     * micro-batch's share), and the weight penalties' gradients are left to the original (added once per step).
     */
    public static <T> T buildSharing(java.util.Map<String, Parameter> parameters, boolean ownGradients, java.util.function.Supplier<T> builds) {
        SHARING.set(new Sharing(parameters, ownGradients));
        try {
            return builds.get();
        } finally {
            SHARING.remove();
        }
    }

    /**
     * The parameter to keep: {@code created}, or, while a replica is built, the original layer's parameter of the
     * same name (weights shared, not copied; a micro-batch replica keeps {@code created}'s gradient). Every layer
     * routes the parameters it creates through this.
     */
    protected final Parameter shared(Parameter created) {
        Sharing sharing = SHARING.get();
        if (sharing == null) {
            return created;
        }
        Parameter original = sharing.parameters().get(name + "." + created.name());
        if (original == null || !original.value().shape().equals(created.value().shape())) {
            throw new IllegalStateException("Replica of layer \"" + name + "\": no parameter \"" + created.name() + "\" of shape "
                    + created.value().shape() + " in the original");
        }
        if (sharing.ownGradients() && original.trainable()) {
            return new Parameter(original.name(), original.value(), created.gradient(), original.pytorchTransposed());
        }
        return original;
    }

    /**
     * Whether this layer belongs to a micro-batch replica of a model: its parameter gradients are one micro-batch's
     * share of the step's, without the weight penalty's gradient, which the model's own layer adds once.
     */
    protected final boolean microBatchReplica() {
        return microBatchReplica;
    }

    /**
     * Whether, in training, a sample's output and gradients depend on that sample alone, so a step may split its
     * batch into micro-batches on replicas of the model and add up their parameter gradients (the trainer's parallel
     * step). True for most layers; false for those that take batch statistics (batch norm, the sparsity penalty). A
     * layer of a user's own that couples samples must return false. A layer that draws while training (dropout) gives
     * its draws through {@link #randomStream()}: each step, the replicas' streams are split from the model's.
     */
    public boolean samplesIndependentInTraining() {
        return true;
    }

    /** Builds the layer for {@code input}-shaped samples; returns the output sample shape. */
    public final Shape build(Shape input, DType type, Rng rng) {
        if (this.dtype != null) {
            throw new IllegalStateException("Layer \"" + name + "\" is already built; a layer instance belongs to one model");
        }
        this.dtype = type;
        this.inputShape = input;
        Sharing sharing = SHARING.get();
        this.microBatchReplica = sharing != null && sharing.ownGradients();
        this.outputShape = onBuild(input, rng);
        return outputShape;
    }

    /** Checks the input shape, allocates parameters and buffers and looks up kernels; returns the output shape. */
    protected abstract Shape onBuild(Shape input, Rng rng);

    /** The output for a batch {@code x} of shape (N, input...). {@code training} selects dropout and batch statistics. */
    public abstract Tensor forward(Tensor x, boolean training);

    /**
     * Given dLoss/dOutput for the last forward's batch, writes the parameter gradients and returns dLoss/dInput,
     * or null when {@code needInputGradient} is false (the first layer of a model).
     */
    public abstract Tensor backward(Tensor dy, boolean needInputGradient);

    /** Trainable parameters and non-trainable state, in a fixed order, with local names. */
    public List<Parameter> parameters() {
        return List.of();
    }

    /** The weight penalty this layer adds to the loss (0 without a regularizer). */
    public double regularizationLoss() {
        return 0;
    }

    public final DType dtype() {
        return dtype;
    }

    public final Shape inputShape() {
        return inputShape;
    }

    public final Shape outputShape() {
        return outputShape;
    }

    /** Throws unless {@code x} is a batch of this layer's input samples. */
    protected final void checkInput(Tensor x) {
        if (x.dtype() != dtype) {
            throw new IllegalArgumentException(typeName() + " \"" + name + "\": input is " + x.dtype() + ", layer is built for " + dtype);
        }
        Shape shape = x.shape();
        if (!shape.isBatchOf(inputShape)) {
            throw new IllegalArgumentException(typeName() + " \"" + name + "\": expected input (N, " + inputShape.toString().substring(1)
                    + ", got " + shape);
        }
    }

    /** Throws unless {@code dy} matches the last forward's output batch. */
    protected final void checkGradient(Tensor dy, int batch) {
        if (dy.dtype() != dtype || dy.size() != batch * outputShape.size()) {
            throw new IllegalArgumentException(typeName() + " \"" + name + "\": gradient " + dy + " does not match output " + outputShape.withBatch(batch)
                    + " of the last forward");
        }
    }
}
