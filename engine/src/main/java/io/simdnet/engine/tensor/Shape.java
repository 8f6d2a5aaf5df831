package io.simdnet.engine.tensor;

import java.util.Arrays;

/**
 * The sizes of a tensor's dimensions, outermost first (NCHW for images). Immutable. Layers describe one sample's
 * shape (without the batch dimension); tensors carry the batch as their first dimension.
 */
public final class Shape {

    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        long product = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("Shape " + Arrays.toString(dims) + ": every dimension must be positive");
            }
            product *= d;
        }
        if (product > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Shape " + Arrays.toString(dims) + " has " + product + " elements, more than an array holds");
        }
        this.dims = dims;
        this.size = (int) product;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /** This shape with {@code batch} put in front. */
    public Shape withBatch(int batch) {
        int[] all = new int[dims.length + 1];
        all[0] = batch;
        System.arraycopy(dims, 0, all, 1, dims.length);
        return new Shape(all);
    }

    /** This shape without its first dimension. */
    public Shape withoutBatch() {
        if (dims.length == 0) {
            throw new IllegalArgumentException("Shape " + this + " has no batch dimension");
        }
        return new Shape(Arrays.copyOfRange(dims, 1, dims.length));
    }

    /** Whether this shape is (N, sample...) for some N: a batch of {@code sample}-shaped samples. Allocates nothing. */
    public boolean isBatchOf(Shape sample) {
        if (dims.length != sample.dims.length + 1) {
            return false;
        }
        for (int i = 0; i < sample.dims.length; i++) {
            if (dims[i + 1] != sample.dims[i]) {
                return false;
            }
        }
        return true;
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int index) {
        return dims[index];
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    public int[] toArray() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Like Python: {@code (6, 28, 28)}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            text.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return text.append(dims.length == 1 ? ",)" : ")").toString();
    }
}
