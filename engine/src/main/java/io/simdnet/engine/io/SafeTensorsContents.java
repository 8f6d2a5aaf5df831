package io.simdnet.engine.io;

import io.simdnet.engine.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a safetensors file holds: its tensors in the order of their data offsets, and the string metadata of its
 * header ({@code __metadata__}, empty when the file has none). Both maps are unmodifiable and keep their order.
 */
public record SafeTensorsContents(Map<String, Tensor> tensors, Map<String, String> metadata) {

    public SafeTensorsContents {
        // Copies, so a caller's later changes cannot reach a record that claims to describe a file.
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The tensor called {@code name}; throws naming the tensors there are when it is missing. */
    public Tensor tensor(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("No tensor '" + name + "'; the file has " + tensors.keySet());
        }
        return tensor;
    }
}
