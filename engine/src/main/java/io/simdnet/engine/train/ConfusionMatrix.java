package io.simdnet.engine.train;

import io.simdnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/** Counts of (true class, predicted class) with per-class precision and recall, and a printable table. */
public final class ConfusionMatrix {

    private final long[][] counts;
    private final List<String> classNames;

    private ConfusionMatrix(long[][] counts, List<String> classNames) {
        this.counts = counts;
        this.classNames = classNames;
    }

    /** From model outputs (N, C) (arg-max is the prediction) and labels (N,) or one-hot targets (N, C). */
    public static ConfusionMatrix of(Tensor outputs, Tensor targets, List<String> classNames) {
        if (!Accuracy.applies(outputs, targets)) {
            throw new IllegalArgumentException("Confusion matrix: expects outputs (N, classes) and labels (N,) or (N, classes), got "
                    + outputs.shape() + " and " + targets.shape());
        }
        int classes = outputs.shape().dim(1);
        if (classNames.size() != classes) {
            throw new IllegalArgumentException("Confusion matrix: " + classes + " classes but " + classNames.size() + " class names");
        }
        long[][] counts = new long[classes][classes];
        for (int r = 0; r < outputs.batch(); r++) {
            int truth = targets.shape().rank() == 1 ? (int) targets.get(r) : Accuracy.argmax(targets, r * classes, classes);
            if (truth < 0 || truth >= classes) {
                throw new IllegalArgumentException("Confusion matrix: label " + targets.get(r) + " of sample " + r + " is not in [0, " + classes + ")");
            }
            counts[truth][Accuracy.argmax(outputs, r * classes, classes)]++;
        }
        return new ConfusionMatrix(counts, List.copyOf(classNames));
    }

    public int classes() {
        return counts.length;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Samples of class {@code truth} predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** Of the samples predicted as {@code c}, the fraction that are {@code c}; NaN when none were. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[c];
        }
        return predicted == 0 ? Double.NaN : (double) counts[c][c] / predicted;
    }

    /** Of the samples of class {@code c}, the fraction predicted as {@code c}; NaN when there are none. */
    public double recall(int c) {
        long actual = 0;
        for (long v : counts[c]) {
            actual += v;
        }
        return actual == 0 ? Double.NaN : (double) counts[c][c] / actual;
    }

    public double accuracy() {
        long right = 0;
        long all = 0;
        for (int t = 0; t < counts.length; t++) {
            for (int p = 0; p < counts.length; p++) {
                all += counts[t][p];
                if (t == p) {
                    right += counts[t][p];
                }
            }
        }
        return all == 0 ? Double.NaN : (double) right / all;
    }

    /** Rows are true classes, columns predictions, then precision and recall per class. */
    @Override
    public String toString() {
        int width = 6;
        for (String name : classNames) {
            width = Math.max(width, name.length() + 1);
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "true\\pred"));
        for (int p = 0; p < counts.length; p++) {
            out.append(String.format(Locale.ROOT, "%7d", p));
        }
        out.append("  precision  recall\n");
        for (int t = 0; t < counts.length; t++) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s", classNames.get(t)));
            for (long v : counts[t]) {
                out.append(String.format(Locale.ROOT, "%7d", v));
            }
            out.append(String.format(Locale.ROOT, "  %9.4f  %6.4f%n", precision(t), recall(t)));
        }
        return out.toString();
    }
}
