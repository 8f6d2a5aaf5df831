package io.simdnet.engine.model;

import io.simdnet.engine.layer.Layer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Names unnamed layers as Keras does: the type in snake case, then {@code _1}, {@code _2}, … for later ones. */
final class LayerNames {

    private LayerNames() {
    }

    static void assign(List<Layer> layers) {
        Set<String> taken = new HashSet<>();
        for (Layer layer : layers) {
            if (layer.name() != null && !taken.add(layer.name())) {
                throw new IllegalArgumentException("Two layers are named \"" + layer.name() + "\"; names must be unique within a model");
            }
        }
        Map<String, Integer> counts = new HashMap<>();
        for (Layer layer : layers) {
            if (layer.name() != null) {
                continue;
            }
            String base = snakeCase(layer.getClass().getSimpleName());
            String name;
            do {
                int index = counts.merge(base, 1, Integer::sum) - 1;
                name = index == 0 ? base : base + "_" + index;
            } while (!taken.add(name));
            layer.named(name);
        }
    }

    static String snakeCase(String camel) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                out.append('_');
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }
}
