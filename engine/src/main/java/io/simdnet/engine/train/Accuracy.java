package io.simdnet.engine.train;

import io.simdnet.engine.tensor.Tensor;

/** Counts arg-max predictions that match the target class (a label, or the arg-max of a one-hot / soft target row). */
public final class Accuracy {

    private Accuracy() {
    }

    /** Whether outputs and targets describe classes: outputs (N, C > 1) with labels (N,) or (N, C) rows. */
    public static boolean applies(Tensor outputs, Tensor targets) {
        if (outputs.shape().rank() != 2 || outputs.shape().dim(1) < 2) {
            return false;
        }
        return targets.shape().rank() == 1 || targets.shape().equals(outputs.shape());
    }

    /** The number of rows whose arg-max output is the target class. */
    public static int correct(Tensor outputs, Tensor targets) {
        int n = outputs.batch();
        int classes = outputs.shape().dim(1);
        int hits = 0;
        for (int r = 0; r < n; r++) {
            int target = targets.shape().rank() == 1 ? (int) targets.get(r) : argmax(targets, r * classes, classes);
            if (argmax(outputs, r * classes, classes) == target) {
                hits++;
            }
        }
        return hits;
    }

    /** The index of the largest of {@code count} values from {@code offset}; the first on ties. */
    public static int argmax(Tensor values, int offset, int count) {
        int best = 0;
        double bestValue = values.get(offset);
        for (int i = 1; i < count; i++) {
            double v = values.get(offset + i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }
}
