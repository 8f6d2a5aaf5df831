package io.simdnet.engine.io;

import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Model weights, and optionally optimiser state, in one safetensors file that PyTorch reads with
 * {@code safetensors.torch.load_file}. Names are the model's ({@code conv2d.weight}, {@code dense_1.bias},
 * {@code batch_norm.running_mean}); dense weights are stored as PyTorch's Linear keeps them, (out, in), and
 * transposed back on load. Optimiser state goes under {@code optimizer.<kind>.<parameter>} (Adam's
 * {@code exp_avg}, {@code exp_avg_sq}) in the layout of its weight (so (out, in) for a dense layer), with its name, step count and learning rate in the metadata. Writes are
 * atomic: an interrupted save leaves the previous file intact.
 *
 * <p>A load checks everything (format, element type, names, shapes, optimiser kind, step count, learning rate)
 * before it changes anything: a bad file fails with {@link CorruptCheckpointException} naming the file and the key,
 * and leaves model and optimiser as they were.
 */
public final class Checkpoint {

    /**
     * The {@code format} metadata of every checkpoint this class writes. Version 2 stores dense layers' optimiser
     * state (out, in), as their weights; version 1 ({@link #FORMAT_1}, still read) stored it (in, out).
     */
    public static final String FORMAT = "simdnet-checkpoint-2";
    public static final String FORMAT_1 = "simdnet-checkpoint-1";
    private static final String OPTIMIZER_PREFIX = "optimizer.";
    /** Tensors under this prefix belong to the caller (the trainer's run state), neither weights nor optimiser state. */
    public static final String EXTRA_PREFIX = "__trainer__.";

    private Checkpoint() {
    }

    /** Saves the model's parameters and state. */
    public static void save(Path file, Model model) throws IOException {
        save(file, model, null);
    }

    /** Saves the model, and the optimiser's state when {@code optimizer} is non-null. */
    public static void save(Path file, Model model, Optimizer optimizer) throws IOException {
        save(file, model, optimizer, Map.of(), Map.of());
    }

    /**
     * Saves the model, the optimiser's state (when non-null) and the caller's own metadata and tensors, whose names
     * must start with {@link #EXTRA_PREFIX} (the trainer's epoch, random streams and history).
     */
    public static void save(Path file, Model model, Optimizer optimizer, Map<String, String> extraMetadata, Map<String, Tensor> extraTensors)
            throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            tensors.put(e.getKey(), p.pytorchTransposed() ? p.value().transposed() : p.value());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("dtype", model.dtype().name());
        if (optimizer != null) {
            for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) {
                tensors.put(OPTIMIZER_PREFIX + e.getKey(), transposedLikeItsWeight(model, e.getKey()) ? e.getValue().transposed() : e.getValue());
            }
            metadata.put("optimizer", optimizer.name());
            metadata.put("optimizer.steps", Long.toString(optimizer.steps()));
            metadata.put("optimizer.learning_rate", Double.toString(optimizer.learningRate()));
        }
        for (Map.Entry<String, String> e : extraMetadata.entrySet()) {
            metadata.put(requireExtra(e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Tensor> e : extraTensors.entrySet()) {
            tensors.put(requireExtra(e.getKey()), e.getValue());
        }
        SafeTensors.write(file, tensors, metadata);
    }

    private static String requireExtra(String key) {
        if (!key.startsWith(EXTRA_PREFIX)) {
            throw new IllegalArgumentException("Checkpoint extra \"" + key + "\": expected a name starting with \"" + EXTRA_PREFIX + "\"");
        }
        return key;
    }

    /** Loads weights into {@code model}, which must have exactly the saved parameter names and shapes. */
    public static void load(Path file, Model model) throws IOException {
        load(file, model, null);
    }

    /** Loads weights, and the optimiser state when {@code optimizer} is non-null (the file must then have one of its kind). */
    public static void load(Path file, Model model, Optimizer optimizer) throws IOException {
        prepare(file, SafeTensors.read(file), model, optimizer).apply();
    }

    /** A checked checkpoint, not yet applied: {@link #apply} cannot fail. */
    public static final class Restore {

        private final Map<String, Tensor> weights;
        private final Model model;
        private final Optimizer optimizer;
        private final Map<String, Tensor> optimizerState;
        private final long steps;
        private final double learningRate;

        private Restore(Map<String, Tensor> weights, Model model, Optimizer optimizer, Map<String, Tensor> optimizerState, long steps,
                double learningRate) {
            this.weights = weights;
            this.model = model;
            this.optimizer = optimizer;
            this.optimizerState = optimizerState;
            this.steps = steps;
            this.learningRate = learningRate;
        }

        /** Copies the weights into the model and the state into the optimiser. */
        public void apply() {
            if (optimizer != null) {
                optimizer.loadState(model.trainableParameters(), optimizerState, steps);
                optimizer.setLearningRate(learningRate);
            }
            weights.forEach((name, value) -> model.parameter(name).value().copyFrom(value));
        }
    }

    /**
     * Checks {@code contents} (read from {@code file}) against the model and optimiser without changing either; the
     * result applies it. Tensors and metadata under {@link #EXTRA_PREFIX} are left to the caller.
     */
    public static Restore prepare(Path file, SafeTensorsContents contents, Model model, Optimizer optimizer) throws CorruptCheckpointException {
        Map<String, String> metadata = contents.metadata();
        String format = metadata.get("format");
        if (!FORMAT.equals(format) && !FORMAT_1.equals(format)) {
            throw new CorruptCheckpointException(file, "metadata \"format\" is " + quoted(format) + ", expected \"" + FORMAT + "\" (or \""
                    + FORMAT_1 + "\")");
        }
        boolean stateLikeItsWeights = FORMAT.equals(format);
        String dtype = metadata.get("dtype");
        if (!model.dtype().name().equals(dtype)) {
            throw new CorruptCheckpointException(file, "metadata \"dtype\" is " + quoted(dtype) + ", the model is " + model.dtype().name());
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            if (e.getKey().startsWith(EXTRA_PREFIX)) {
                continue;
            }
            if (e.getKey().startsWith(OPTIMIZER_PREFIX)) {
                String key = e.getKey().substring(OPTIMIZER_PREFIX.length());
                Tensor v = e.getValue();
                optimizerState.put(key, stateLikeItsWeights && v.shape().rank() == 2 && transposedLikeItsWeight(model, key) ? v.transposed() : v);
            } else {
                weights.put(e.getKey(), e.getValue());
            }
        }
        TreeSet<String> missing = new TreeSet<>(model.namedParameters().keySet());
        missing.removeAll(weights.keySet());
        TreeSet<String> unexpected = new TreeSet<>(weights.keySet());
        unexpected.removeAll(model.namedParameters().keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new CorruptCheckpointException(file, "does not fit the model: missing " + missing + ", unexpected " + unexpected);
        }
        Map<String, Tensor> converted = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            Tensor stored = weights.get(e.getKey());
            if (stored.dtype() != model.dtype()) {
                throw new CorruptCheckpointException(file, "\"" + e.getKey() + "\" is " + stored.dtype() + ", the model is " + model.dtype());
            }
            Tensor value = p.pytorchTransposed() && stored.shape().rank() == 2 ? stored.transposed() : stored;
            if (!value.shape().equals(p.value().shape())) {
                throw new CorruptCheckpointException(file, "\"" + e.getKey() + "\" has shape " + stored.shape() + ", the model expects "
                        + (p.pytorchTransposed() ? p.value().transposed().shape() + " (stored transposed)" : p.value().shape()));
            }
            converted.put(e.getKey(), value);
        }
        if (optimizer == null) {
            return new Restore(converted, model, null, null, 0, 0);
        }
        String saved = metadata.get("optimizer");
        if (!optimizer.name().equals(saved)) {
            throw new CorruptCheckpointException(file, "holds optimizer state of " + (saved == null ? "no optimizer" : "\"" + saved + "\"")
                    + ", expected \"" + optimizer.name() + "\"");
        }
        long steps = parseLong(file, metadata, "optimizer.steps");
        double rate = parseDouble(file, metadata, "optimizer.learning_rate");
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new CorruptCheckpointException(file, "metadata \"optimizer.learning_rate\" is " + rate + ", expected a finite number > 0");
        }
        try {
            optimizer.checkState(model.trainableParameters(), optimizerState, steps);
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(file, e.getMessage(), e);
        }
        return new Restore(converted, model, optimizer, optimizerState, steps, rate);
    }

    /** The metadata entry {@code key} as a long; throws naming the file and key when it is missing or not a number. */
    public static long parseLong(Path file, Map<String, String> metadata, String key) throws CorruptCheckpointException {
        String text = require(file, metadata, key);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new CorruptCheckpointException(file, "metadata \"" + key + "\" is \"" + text + "\", expected an integer");
        }
    }

    /** The metadata entry {@code key} as a double; throws naming the file and key when it is missing or not a number. */
    public static double parseDouble(Path file, Map<String, String> metadata, String key) throws CorruptCheckpointException {
        String text = require(file, metadata, key);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new CorruptCheckpointException(file, "metadata \"" + key + "\" is \"" + text + "\", expected a number");
        }
    }

    /** The metadata entry {@code key}; throws naming the file and key when it is missing. */
    public static String require(Path file, Map<String, String> metadata, String key) throws CorruptCheckpointException {
        String text = metadata.get(key);
        if (text == null) {
            throw new CorruptCheckpointException(file, "metadata \"" + key + "\" is missing");
        }
        return text;
    }

    private static String quoted(String value) {
        return value == null ? "missing" : "\"" + value + "\"";
    }

    /** Whether the optimiser state {@code <kind>.<parameter>} belongs to a weight stored transposed (a dense weight). */
    private static boolean transposedLikeItsWeight(Model model, String stateKey) {
        Parameter p = model.namedParameters().get(stateKey.substring(stateKey.indexOf('.') + 1));
        return p != null && p.pytorchTransposed();
    }
}
