package io.simdnet.engine.model;

import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keras' {@code model.summary()} table: layer (type), output shape with the batch as {@code None}, parameter count,
 * and for graphs the layers each one is connected to; then total, trainable and non-trainable counts. Batch norm's
 * running statistics count as non-trainable, as in Keras.
 */
final class ModelSummary {

    private ModelSummary() {
    }

    static String of(Model model) {
        boolean graph = model instanceof Graph;
        List<String[]> rows = new ArrayList<>();
        rows.add(graph ? new String[] {"Layer (type)", "Output Shape", "Param #", "Connected to"}
                : new String[] {"Layer (type)", "Output Shape", "Param #"});
        long trainable = 0;
        long frozen = 0;
        for (Layer layer : model.layers()) {
            long count = 0;
            for (Parameter p : layer.parameters()) {
                count += p.value().size();
                if (p.trainable()) {
                    trainable += p.value().size();
                } else {
                    frozen += p.value().size();
                }
            }
            String shape = "(None, " + layer.outputShape().toString().substring(1).replace(",)", ")");
            String first = layer.name() + " (" + layer.typeName() + ")";
            rows.add(graph ? new String[] {first, shape, format(count), String.join(", ", ((Graph) model).inputsOf(layer))}
                    : new String[] {first, shape, format(count)});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length() + 2);
            }
        }
        int total = 0;
        for (int w : widths) {
            total += w;
        }
        StringBuilder out = new StringBuilder();
        out.append("Model: ").append(graph ? "Graph" : "Sequential").append(", input ").append(model.inputShape()).append(", ")
                .append(model.dtype()).append('\n');
        String rule = "─".repeat(total);
        out.append(rule).append('\n');
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int c = 0; c < row.length; c++) {
                out.append(c == 2 ? pad(row[c], widths[c] - 2) + "  " : pad(row[c], widths[c]));
            }
            out.append('\n');
            out.append(r == 0 ? "═".repeat(total) : "").append(r == 0 ? "\n" : "");
        }
        out.append(rule).append('\n');
        out.append("Total params: ").append(format(trainable + frozen)).append('\n');
        out.append("Trainable params: ").append(format(trainable)).append('\n');
        out.append("Non-trainable params: ").append(format(frozen)).append('\n');
        return out.toString();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    static String format(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }
}
