package io.simdnet.engine.data;

import io.simdnet.engine.init.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Train/validation/test splits and row copies of a {@link Dataset}. A split shuffles with a seed first, so that a
 * dataset stored sorted by class (as some are) still gives parts with every class, and the same seed always gives the
 * same parts. Splits are views ({@link Dataset#select}): the parts share the input's storage, which no dataset
 * changes, so splitting 50,000 CIFAR images costs an index array, not a second copy of them. {@link #rows} and
 * {@link #take} copy, so that a small part does not keep a large source alive.
 */
public final class DataSplits {

    private static final double TOLERANCE = 1e-9;

    private DataSplits() {
    }

    /**
     * Shuffles the samples with {@code seed} (Fisher–Yates over an index array) and cuts consecutive parts of
     * {@code round(fraction · N)} samples. When the fractions add up to 1 the last part takes the remainder, so every
     * sample lands in exactly one part; when they add up to less, the rest is left out. Every fraction must be
     * positive, their sum at most 1, and no part may come out empty.
     */
    public static List<Dataset> split(Dataset data, long seed, double... fractions) {
        if (fractions.length == 0) {
            throw new IllegalArgumentException("split: no fractions given; expected e.g. 0.8, 0.1, 0.1");
        }
        double sum = 0;
        for (double f : fractions) {
            if (!(f > 0) || Double.isInfinite(f)) {
                throw new IllegalArgumentException("split: fractions " + Arrays.toString(fractions) + " include " + f + "; each must be > 0");
            }
            sum += f;
        }
        if (sum > 1 + TOLERANCE) {
            throw new IllegalArgumentException("split: fractions " + Arrays.toString(fractions) + " add up to " + sum + ", more than 1");
        }
        int n = data.size();
        int[] sizes = new int[fractions.length];
        int taken = 0;
        for (int i = 0; i < fractions.length; i++) {
            boolean remainder = i == fractions.length - 1 && Math.abs(sum - 1) <= TOLERANCE;
            sizes[i] = remainder ? n - taken : (int) Math.round(fractions[i] * n);
            taken += sizes[i];
            if (sizes[i] <= 0 || taken > n) {
                throw new IllegalArgumentException("split: fractions " + Arrays.toString(fractions) + " of " + n + " samples give part " + i
                        + " " + sizes[i] + " samples after rounding the others (" + Arrays.toString(Arrays.copyOf(sizes, i + 1))
                        + "); every part needs at least one sample");
            }
        }
        int[] order = shuffledIndices(n, seed);
        List<Dataset> parts = new ArrayList<>(sizes.length);
        int from = 0;
        for (int size : sizes) {
            parts.add(data.select(Arrays.copyOfRange(order, from, from + size)));
            from += size;
        }
        return parts;
    }

    /**
     * Keras' {@code validation_split}: the training samples and, held out, the last round(N · fraction) of them,
     * both views of {@code data} (in that order).
     */
    public static List<Dataset> holdOut(Dataset data, double fraction) {
        int held = (int) Math.round(data.size() * fraction);
        return List.of(data.select(range(data, 0, data.size() - held)), data.select(range(data, data.size() - held, data.size())));
    }

    /** A copy of samples {@code from} (inclusive) to {@code to} (exclusive). */
    public static Dataset rows(Dataset data, int from, int to) {
        return take(data, range(data, from, to));
    }

    private static int[] range(Dataset data, int from, int to) {
        if (from < 0 || to > data.size() || from >= to) {
            throw new IllegalArgumentException("rows: range [" + from + ", " + to + ") of a dataset of " + data.size()
                    + " samples; expected 0 <= from < to <= " + data.size());
        }
        int[] indices = new int[to - from];
        Arrays.setAll(indices, i -> from + i);
        return indices;
    }

    /** A copy of the samples at {@code indices}, in that order (repeats allowed). */
    public static Dataset take(Dataset data, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("take: no indices; a dataset needs at least one sample");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= data.size()) {
                throw new IllegalArgumentException("take: indices[" + i + "] = " + indices[i] + ", expected 0.." + (data.size() - 1));
            }
        }
        return data.select(indices).compacted();
    }

    private static int[] shuffledIndices(int n, long seed) {
        Rng rng = new Rng(seed);
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
