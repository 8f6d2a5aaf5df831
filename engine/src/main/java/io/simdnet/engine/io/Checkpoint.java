package io.simdnet.engine.io;

import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
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
 */
public final class Checkpoint {

    /** Version 2 stores dense layers' optimiser state (out, in), as their weights; version 1 stored it (in, out). */
    private static final String FORMAT = "simdnet-checkpoint-2";
    private static final String FORMAT_1 = "simdnet-checkpoint-1";
    private static final String OPTIMIZER_PREFIX = "optimizer.";

    private Checkpoint() {
    }

    /** Saves the model's parameters and state. */
    public static void save(Path file, Model model) throws IOException {
        save(file, model, null);
    }

    /** Saves the model, and the optimiser's state when {@code optimizer} is non-null. */
    public static void save(Path file, Model model, Optimizer optimizer) throws IOException {
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
        SafeTensors.write(file, tensors, metadata);
    }

    /** Loads weights into {@code model}, which must have exactly the saved parameter names and shapes. */
    public static void load(Path file, Model model) throws IOException {
        load(file, model, null);
    }

    /** Loads weights, and the optimiser state when {@code optimizer} is non-null (the file must then have one of its kind). */
    public static void load(Path file, Model model, Optimizer optimizer) throws IOException {
        SafeTensorsContents contents = SafeTensors.read(file);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            (e.getKey().startsWith(OPTIMIZER_PREFIX) ? optimizerState : weights).put(e.getKey(), e.getValue());
        }
        TreeSet<String> missing = new TreeSet<>(model.namedParameters().keySet());
        missing.removeAll(weights.keySet());
        TreeSet<String> unexpected = new TreeSet<>(weights.keySet());
        unexpected.removeAll(model.namedParameters().keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("Checkpoint " + file + " does not fit the model: missing " + missing + ", unexpected " + unexpected);
        }
        // Check every shape before changing anything, so a mismatch leaves the model as it was.
        Map<String, Tensor> converted = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            Tensor stored = weights.get(e.getKey());
            Tensor value = p.pytorchTransposed() && stored.shape().rank() == 2 ? stored.transposed() : stored;
            if (!value.shape().equals(p.value().shape())) {
                throw new IllegalArgumentException("Checkpoint " + file + ": \"" + e.getKey() + "\" has shape " + stored.shape() + ", the model expects "
                        + (p.pytorchTransposed() ? p.value().transposed().shape() + " (stored transposed)" : p.value().shape()));
            }
            converted.put(e.getKey(), value);
        }
        if (optimizer != null) {
            String saved = contents.metadata().get("optimizer");
            if (!optimizer.name().equals(saved)) {
                throw new IllegalArgumentException("Checkpoint " + file + " holds optimizer state of " + (saved == null ? "no optimizer" : "\"" + saved + "\"")
                        + ", expected \"" + optimizer.name() + "\"");
            }
            Map<String, Tensor> state = new LinkedHashMap<>();
            boolean sameLayoutAsWeights = !FORMAT_1.equals(contents.metadata().get("format"));
            optimizerState.forEach((k, v) -> {
                String key = k.substring(OPTIMIZER_PREFIX.length());
                state.put(key, sameLayoutAsWeights && v.shape().rank() == 2 && transposedLikeItsWeight(model, key) ? v.transposed() : v);
            });
            optimizer.loadState(model.trainableParameters(), state, Long.parseLong(contents.metadata().getOrDefault("optimizer.steps", "0")));
            String rate = contents.metadata().get("optimizer.learning_rate");
            if (rate != null) {
                optimizer.setLearningRate(Double.parseDouble(rate));
            }
        }
        converted.forEach((name, value) -> model.parameter(name).value().copyFrom(value));
    }

    /** Whether the optimiser state {@code <kind>.<parameter>} belongs to a weight stored transposed (a dense weight). */
    private static boolean transposedLikeItsWeight(Model model, String stateKey) {
        Parameter p = model.namedParameters().get(stateKey.substring(stateKey.indexOf('.') + 1));
        return p != null && p.pytorchTransposed();
    }
}
