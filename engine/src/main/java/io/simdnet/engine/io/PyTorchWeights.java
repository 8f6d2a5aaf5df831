package io.simdnet.engine.io;

import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.ParameterLayout;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Weights as a PyTorch {@code state_dict}, in a safetensors file: what {@code model.load_state_dict(load_file(path),
 * strict=True)} takes as it is, and what {@code save_file(model.state_dict(), path)} writes for {@link #load}.
 * Names are PyTorch's for the equivalent {@code nn.Sequential}: each layer is the module at its index, counting a
 * ReLU fused into a convolution as the separate {@code nn.ReLU} it is in PyTorch (so LeNet-5's convolutions are
 * {@code 0.weight}, {@code 3.weight}, ...); a {@code Graph}'s layers keep their names, which a module whose
 * attributes are named alike loads. Layouts are PyTorch's: dense weights (out, in). Only weights and
 * running statistics are written: optimiser state stays in {@link Checkpoint}'s files, so the file holds exactly the
 * module's keys. {@code num_batches_tracked} is not written (PyTorch fills it in when it is absent) and is ignored
 * on load.
 */
public final class PyTorchWeights {

    private static final String NUM_BATCHES_TRACKED = ".num_batches_tracked";

    private PyTorchWeights() {
    }

    /** simdnet parameter name → PyTorch state_dict key, in the model's order. */
    public static Map<String, String> names(Model model) {
        Map<String, String> names = new LinkedHashMap<>();
        boolean sequential = model instanceof Sequential;
        int module = 0;
        for (Layer layer : model.layers()) {
            for (Parameter p : layer.parameters()) {
                names.put(layer.name() + "." + p.name(), (sequential ? Integer.toString(module) : layer.name()) + "." + p.name());
            }
            module += layer instanceof Conv2d conv && conv.fusedRelu() ? 2 : 1;
        }
        return names;
    }

    /** Writes the model's weights under {@link #names}, atomically. */
    public static void save(Path file, Model model) throws IOException {
        save(file, model, names(model));
    }

    /** Writes the model's weights under the given names (simdnet name → PyTorch key; every parameter must be named). */
    public static void save(Path file, Model model, Map<String, String> names) throws IOException {
        checkNames(model, names);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : model.namedParameters().keySet()) {
            tensors.put(names.get(name), model.parameterValue(name, ParameterLayout.PYTORCH));
        }
        SafeTensors.write(file, tensors, Map.of("format", "pt"));
    }

    /** Loads a state_dict saved by PyTorch (or by {@link #save}) with {@link #names}' keys. */
    public static void load(Path file, Model model) throws IOException {
        load(file, model, names(model));
    }

    /**
     * Loads a state_dict with the given names, strictly: every key must be there with PyTorch's shape and no other
     * key may be (but {@code num_batches_tracked}); nothing changes unless everything fits.
     */
    public static void load(Path file, Model model, Map<String, String> names) throws IOException {
        checkNames(model, names);
        Map<String, Tensor> stored = SafeTensors.read(file).tensors();
        TreeSet<String> missing = new TreeSet<>(names.values());
        missing.removeAll(stored.keySet());
        TreeSet<String> unexpected = new TreeSet<>(stored.keySet());
        unexpected.removeAll(names.values());
        unexpected.removeIf(key -> key.endsWith(NUM_BATCHES_TRACKED));
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("PyTorch weights " + file + " do not fit the model: missing keys " + missing + ", unexpected keys "
                    + unexpected + " (expected " + List.copyOf(names.values()) + ")");
        }
        for (Map.Entry<String, String> e : names.entrySet()) {
            Tensor value = stored.get(e.getValue());
            Tensor expected = model.parameterValue(e.getKey(), ParameterLayout.PYTORCH);
            if (!value.shape().equals(expected.shape())) {
                throw new IllegalArgumentException("PyTorch weights " + file + ": \"" + e.getValue() + "\" has shape " + value.shape()
                        + ", the model's " + e.getKey() + " needs " + expected.shape() + " (PyTorch's layout)");
            }
        }
        for (Map.Entry<String, String> e : names.entrySet()) {
            model.setParameter(e.getKey(), stored.get(e.getValue()), ParameterLayout.PYTORCH);
        }
    }

    private static void checkNames(Model model, Map<String, String> names) {
        TreeSet<String> unnamed = new TreeSet<>(model.namedParameters().keySet());
        unnamed.removeAll(names.keySet());
        TreeSet<String> unknown = new TreeSet<>(names.keySet());
        unknown.removeAll(model.namedParameters().keySet());
        if (!unnamed.isEmpty() || !unknown.isEmpty()) {
            throw new IllegalArgumentException("PyTorch name map: parameters without a name " + unnamed + ", names of no parameter " + unknown);
        }
        if (new TreeSet<>(names.values()).size() != names.size()) {
            throw new IllegalArgumentException("PyTorch name map: two parameters share a key in " + names);
        }
    }
}
