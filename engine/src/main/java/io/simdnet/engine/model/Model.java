package io.simdnet.engine.model;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A built network: forward and backward over batches, its layers, and every parameter by its PyTorch-style name
 * {@code <layer name>.<parameter>} ({@code conv2d.weight}, {@code batch_norm.running_var}). Sequential and
 * functional-graph models share this face, which is all the trainer sees.
 */
public abstract class Model {

    private final Shape inputShape;
    private final DType dtype;
    private Map<String, Parameter> named;
    private final java.util.concurrent.atomic.AtomicReference<Thread> user = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile String userPurpose;
    private Profiler profiler;
    private int profileRows;
    /** For a micro-batch replica, the model it was made from, whose profiler its layers record into; else null. */
    private Model original;

    protected Model(Shape inputShape, DType dtype) {
        this.inputShape = inputShape;
        this.dtype = dtype;
    }

    /** Output for a batch of shape (N, input...); the tensor belongs to the model until its next call. */
    public abstract Tensor forward(Tensor x, boolean training);

    /** Back-propagates dLoss/dOutput of the last forward, writing every parameter gradient. */
    public final void backward(Tensor outputGradient) {
        backward(outputGradient, false);
    }

    /**
     * Back-propagates dLoss/dOutput of the last forward, writing every parameter gradient, and returns dLoss/dInput
     * (saliency maps, adversarial examples, gradient checks from the input) when {@code inputGradient} is true; the
     * tensor belongs to the model until its next call. When false, the layers below the first one with parameters
     * are not visited and the first layer skips its input-gradient product, and null is returned.
     */
    public abstract Tensor backward(Tensor outputGradient, boolean inputGradient);

    /**
     * One forward (in training mode) and backward pass on a batch of {@code batch} Gaussian samples, a zero output
     * gradient back: it calls every kernel a training step calls, at the sizes it calls them, which is what
     * {@code ModelTuner} records and tunes.
     */
    public final void passOnNoise(int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("a pass on noise: batch = " + batch + ", expected > 0");
        }
        Tensor x = Tensor.zeros(dtype, inputShape.withBatch(batch));
        Rng rng = new Rng(1);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, rng.gaussian());
        }
        Tensor y = forward(x, true);
        backward(Tensor.zeros(dtype, y.shape()));
    }

    /**
     * The output of the layer called {@code layerName} in the last forward (feature maps, activations); the tensor
     * belongs to that layer until its next call.
     */
    public final Tensor lastOutput(String layerName) {
        List<Layer> all = layers();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).name().equals(layerName)) {
                Tensor out = lastOutput(i);
                if (out == null) {
                    throw new IllegalStateException("Layer \"" + layerName + "\" has no output yet: run forward first");
                }
                return out;
            }
        }
        throw new IllegalArgumentException("Model has no layer \"" + layerName + "\"; it has "
                + all.stream().map(Layer::name).toList());
    }

    /** The output of layer {@code index} (in {@link #layers()} order) in the last forward, or null before any. */
    protected abstract Tensor lastOutput(int index);

    /** Layers in execution order. */
    public abstract List<Layer> layers();

    public abstract Shape outputShape();

    public final Shape inputShape() {
        return inputShape;
    }

    public final DType dtype() {
        return dtype;
    }

    /** Every parameter and state tensor by full name, in layer order. */
    public final Map<String, Parameter> namedParameters() {
        if (named == null) {
            Map<String, Parameter> all = new LinkedHashMap<>();
            for (Layer layer : layers()) {
                for (Parameter p : layer.parameters()) {
                    all.put(layer.name() + "." + p.name(), p.named(layer.name() + "." + p.name()));
                }
            }
            named = Collections.unmodifiableMap(all);
        }
        return named;
    }

    /** The trainable parameters, in layer order: what an optimiser updates. */
    public final List<Parameter> trainableParameters() {
        List<Parameter> trainable = new ArrayList<>();
        for (Parameter p : namedParameters().values()) {
            if (p.trainable()) {
                trainable.add(p);
            }
        }
        return trainable;
    }

    /** The random streams of the layers that draw while training (dropout), by layer name, in layer order. */
    public final Map<String, Rng> randomStreams() {
        Map<String, Rng> streams = new LinkedHashMap<>();
        for (Layer layer : layers()) {
            if (layer.randomStream() != null) {
                streams.put(layer.name(), layer.randomStream());
            }
        }
        return streams;
    }

    /**
     * The parameter called {@code name}; its value is in simdnet's layout (a dense weight is (in, out), the
     * transpose of PyTorch's {@code Linear.weight}; see {@link #parameterValue} for a copy in PyTorch's).
     */
    public final Parameter parameter(String name) {
        Parameter p = namedParameters().get(name);
        if (p == null) {
            throw new IllegalArgumentException("Model has no parameter \"" + name + "\"; it has " + namedParameters().keySet());
        }
        return p;
    }

    /**
     * Copies {@code values} (same shape, either element type) into the parameter called {@code name}. A dense
     * weight is refused here: its (in, out) and PyTorch's (out, in) cannot be told apart on a square layer, so
     * {@link #setParameter(String, Tensor, ParameterLayout)} must say which one {@code values} is in.
     */
    public final void setParameter(String name, Tensor values) {
        Parameter p = parameter(name);
        if (p.pytorchTransposed()) {
            throw new IllegalArgumentException("Parameter \"" + name + "\" is a dense weight, held (in, out) = " + p.value().shape()
                    + " while PyTorch's Linear.weight is (out, in): say which layout the tensor is in, setParameter(name, values, "
                    + "ParameterLayout.PYTORCH) or ParameterLayout.SIMDNET");
        }
        setParameter(name, values, ParameterLayout.SIMDNET);
    }

    /** Copies {@code values}, given in {@code layout}, into the parameter called {@code name}; the shape must match that layout's. */
    public final void setParameter(String name, Tensor values, ParameterLayout layout) {
        Parameter p = parameter(name);
        boolean transpose = layout == ParameterLayout.PYTORCH && p.pytorchTransposed();
        Shape expected = transpose ? Shape.of(p.value().shape().dim(1), p.value().shape().dim(0)) : p.value().shape();
        if (!values.shape().equals(expected)) {
            throw new IllegalArgumentException("Parameter \"" + name + "\": expected shape " + expected + " (" + layout
                    + (p.pytorchTransposed() ? (layout == ParameterLayout.PYTORCH ? " layout, (out, in)" : " layout, (in, out)") : " layout")
                    + "), got " + values.shape());
        }
        p.value().copyFrom(transpose ? values.transposed() : values);
    }

    /** A copy of the parameter called {@code name} in {@code layout} (PyTorch's: dense weights (out, in)). */
    public final Tensor parameterValue(String name, ParameterLayout layout) {
        Parameter p = parameter(name);
        return layout == ParameterLayout.PYTORCH && p.pytorchTransposed() ? p.value().transposed() : p.value().to(p.value().dtype());
    }

    /** The sum of the layers' weight penalties (and activity penalties of the last forward). */
    public final double regularizationLoss() {
        double sum = 0;
        List<Layer> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            sum += layers.get(i).regularizationLoss();
        }
        return sum;
    }

    /**
     * Marks the start of a use by this thread ({@code "training"}, {@code "predict"}): layers own their buffers, so a
     * model serves one thread at a time, and a second thread fails at once instead of corrupting both results.
     * Re-entrant; returns whether this call took the model (pass it to {@link #release}). Allocates nothing.
     */
    public final boolean acquire(String purpose) {
        Thread me = Thread.currentThread();
        if (user.compareAndSet(null, me)) {
            userPurpose = purpose;
            return true;
        }
        Thread other = user.get();
        if (other == me) {
            return false;
        }
        throw new IllegalStateException("Model is already in use by thread \"" + (other == null ? "?" : other.getName()) + "\" ("
                + userPurpose + "), and thread \"" + me.getName() + "\" asked for " + purpose
                + ": one model serves one thread at a time (its layers own their buffers); give each thread its own model.newInference()");
    }

    /** Ends a use begun by {@link #acquire} when that returned true. */
    public final void release(boolean acquired) {
        if (acquired) {
            userPurpose = null;
            user.set(null);
        }
    }

    /**
     * A replica for another thread's predictions: its own layers and buffers, this model's parameter tensors
     * (shared, not copied: weights loaded or trained into this model are what it predicts with). Use each inference
     * from one thread, and do not train this model while inferences predict.
     */
    public final Inference newInference() {
        Map<String, Parameter> own = new LinkedHashMap<>();
        for (Layer layer : layers()) {
            for (Parameter p : layer.parameters()) {
                own.put(layer.name() + "." + p.name(), p);
            }
        }
        return new Inference(Layer.buildSharing(own, this::replicate));
    }

    /**
     * A replica for one micro-batch of a training step split across threads (the trainer's parallel step): its own
     * layers, buffers and parameter gradients, this model's parameter values (shared, not copied). Its backward writes
     * its gradients without the weight penalties' share, which this model's own backward adds once per step; its
     * layers' times go into this model's profiler, on the thread that profiler records.
     *
     * @throws IllegalStateException when a layer of the model couples the samples of a batch in training
     *     ({@link Layer#samplesIndependentInTraining()}): such a model cannot be split into micro-batches
     */
    public final Model microBatchReplica() {
        for (Layer layer : layers()) {
            if (!layer.samplesIndependentInTraining()) {
                throw new IllegalStateException("Layer \"" + layer.name() + "\" (" + layer.typeName()
                        + ") couples the samples of a batch in training, so the model cannot be split into micro-batches");
            }
        }
        Map<String, Parameter> own = new LinkedHashMap<>();
        for (Layer layer : layers()) {
            for (Parameter p : layer.parameters()) {
                own.put(layer.name() + "." + p.name(), p);
            }
        }
        Model replica = Layer.buildSharing(own, true, this::replicate);
        Map<String, Parameter> theirs = replica.namedParameters();
        for (Map.Entry<String, Parameter> mine : namedParameters().entrySet()) {
            Parameter copy = theirs.get(mine.getKey());
            if (copy == null || copy.value() != mine.getValue().value()
                    || (copy.trainable() && copy.gradient() == mine.getValue().gradient())) {
                throw new IllegalStateException("Micro-batch replica: parameter \"" + mine.getKey()
                        + "\" is not shared with the original (a layer creates it without Layer.shared)");
            }
        }
        replica.original = this;
        return replica;
    }

    /** Whether every layer lets a training step split its batch into micro-batches ({@link Layer#samplesIndependentInTraining()}). */
    public final boolean samplesIndependentInTraining() {
        for (Layer layer : layers()) {
            if (!layer.samplesIndependentInTraining()) {
                return false;
            }
        }
        return true;
    }

    /** A new model of the same structure built from {@link Layer#replica}s of this one's layers (inside {@link Layer#buildSharing}). */
    protected abstract Model replicate();

    /** Outputs for every sample of {@code x}, in evaluation mode, {@code batchSize} samples at a time; a new tensor. */
    public final Tensor predict(Tensor x, int batchSize) {
        boolean acquired = acquire("predict");
        try {
            return predictUnguarded(x, batchSize);
        } finally {
            release(acquired);
        }
    }

    private Tensor predictUnguarded(Tensor x, int batchSize) {
        checkBatch(x);
        int n = x.batch();
        Tensor result = Tensor.zeros(dtype, outputShape().withBatch(n));
        int sampleIn = inputShape.size();
        int sampleOut = outputShape().size();
        Tensor batch = null;
        for (int start = 0; start < n; start += batchSize) {
            int count = Math.min(batchSize, n - start);
            if (batch == null || batch.batch() != count) {
                batch = Tensor.zeros(dtype, inputShape.withBatch(count));
            }
            Tensor.copy(x, start * sampleIn, batch, 0, count * sampleIn);
            Tensor out = forward(batch, false);
            Tensor.copy(out, 0, result, start * sampleOut, count * sampleOut);
        }
        return result;
    }

    /** Throws unless {@code x} is a batch of this model's input samples. */
    public final void checkBatch(Tensor x) {
        checkBatch(x.shape());
    }

    /** Throws unless {@code shape} is that of a batch of this model's input samples (N, input shape...). */
    public final void checkBatch(Shape shape) {
        if (!shape.isBatchOf(inputShape)) {
            throw new IllegalArgumentException("Model input: expected a batch of samples of shape " + inputShape + ", got " + shape);
        }
    }

    /**
     * Times every layer's forward and backward into {@code profiler} while it runs on the thread using this model (null:
     * no timing, which then costs a null check per layer). {@code FitOptions.profile} attaches it for a fit; inference
     * users attach it themselves (see {@link Profiler}). A model has one profiler at a time.
     */
    public final void profile(Profiler value) {
        if (value != null) {
            profileRows = value.layerRows(this, layers().stream().map(Layer::name).toList());
        }
        profiler = value;
    }

    /** The profiler attached by {@link #profile}, or null. */
    public final Profiler profiler() {
        return original == null ? profiler : original.profiler;
    }

    /** Layer {@code index}'s forward or backward row in the attached profiler. */
    protected final int profileRow(int index, boolean backward) {
        return (original == null ? profileRows : original.profileRows) + 2 * index + (backward ? 1 : 0);
    }

    /** Keras-style table of layers, output shapes and parameter counts. */
    public final String summary() {
        return ModelSummary.of(this);
    }
}
