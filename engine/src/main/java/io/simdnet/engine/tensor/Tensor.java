package io.simdnet.engine.tensor;

import io.simdnet.kernel.DType;
import java.util.Arrays;

/**
 * An n-d array of floats or doubles over one flat, row-major array (NCHW for images). The array may be longer
 * than the shape needs: layers keep one buffer per batch size and a smaller last batch views its front part.
 * Exactly one of {@link #floats()} and {@link #doubles()} is non-null, as {@link #dtype()} says.
 */
public final class Tensor {

    private final DType dtype;
    private final Shape shape;
    private final float[] floats;
    private final double[] doubles;

    private Tensor(DType dtype, Shape shape, float[] floats, double[] doubles) {
        this.dtype = dtype;
        this.shape = shape;
        this.floats = floats;
        this.doubles = doubles;
        int length = floats != null ? floats.length : doubles.length;
        if (length < shape.size()) {
            throw new IllegalArgumentException("Tensor of shape " + shape + " needs " + shape.size() + " elements, the array has " + length);
        }
    }

    public static Tensor zeros(DType dtype, Shape shape) {
        return dtype == DType.F32 ? new Tensor(dtype, shape, new float[shape.size()], null)
                : new Tensor(dtype, shape, null, new double[shape.size()]);
    }

    public static Tensor zeros(DType dtype, int... dims) {
        return zeros(dtype, Shape.of(dims));
    }

    /** Wraps {@code values} without copying. */
    public static Tensor of(float[] values, int... dims) {
        return new Tensor(DType.F32, Shape.of(dims), values, null);
    }

    /** Wraps {@code values} without copying. */
    public static Tensor of(double[] values, int... dims) {
        return new Tensor(DType.F64, Shape.of(dims), null, values);
    }

    /** The same storage seen with another shape of at most as many elements. */
    public Tensor view(Shape newShape) {
        return new Tensor(dtype, newShape, floats, doubles);
    }

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    /** Number of elements the shape covers. */
    public int size() {
        return shape.size();
    }

    /** The first dimension. */
    public int batch() {
        return shape.dim(0);
    }

    /** The backing array when F32, else null. */
    public float[] floats() {
        return floats;
    }

    /** The backing array when F64, else null. */
    public double[] doubles() {
        return doubles;
    }

    public double get(int flatIndex) {
        checkIndex(flatIndex);
        return floats != null ? floats[flatIndex] : doubles[flatIndex];
    }

    public void set(int flatIndex, double value) {
        checkIndex(flatIndex);
        if (floats != null) {
            floats[flatIndex] = (float) value;
        } else {
            doubles[flatIndex] = value;
        }
    }

    private void checkIndex(int flatIndex) {
        if (flatIndex < 0 || flatIndex >= shape.size()) {
            throw new IndexOutOfBoundsException("Index " + flatIndex + " outside tensor of shape " + shape + " (" + shape.size() + " elements)");
        }
    }

    /** Sets every element the shape covers to zero. */
    public void fillZero() {
        if (floats != null) {
            Arrays.fill(floats, 0, size(), 0f);
        } else {
            Arrays.fill(doubles, 0, size(), 0.0);
        }
    }

    /** Copies the values of {@code source} (same number of elements, either dtype) into this tensor. */
    public void copyFrom(Tensor source) {
        if (source.size() != size()) {
            throw new IllegalArgumentException("Copy: source has shape " + source.shape + ", target " + shape);
        }
        copy(source, 0, this, 0, size());
    }

    /**
     * Copies {@code length} elements of {@code from}'s array from {@code fromOffset} into {@code to}'s array from
     * {@code toOffset}, converting between float and double when the types differ (for batches cut from a dataset
     * and outputs gathered into a result, which may lie beyond either tensor's shape).
     */
    public static void copy(Tensor from, int fromOffset, Tensor to, int toOffset, int length) {
        if (from.floats != null && to.floats != null) {
            System.arraycopy(from.floats, fromOffset, to.floats, toOffset, length);
        } else if (from.doubles != null && to.doubles != null) {
            System.arraycopy(from.doubles, fromOffset, to.doubles, toOffset, length);
        } else if (from.floats != null) {
            for (int i = 0; i < length; i++) {
                to.doubles[toOffset + i] = from.floats[fromOffset + i];
            }
        } else {
            for (int i = 0; i < length; i++) {
                to.floats[toOffset + i] = (float) from.doubles[fromOffset + i];
            }
        }
    }

    /** Adds {@code other} (same type, at least as many elements) to this tensor, element by element. */
    public void add(Tensor other) {
        int n = size();
        if (floats != null) {
            float[] in = other.floats;
            for (int i = 0; i < n; i++) {
                floats[i] += in[i];
            }
        } else {
            double[] in = other.doubles;
            for (int i = 0; i < n; i++) {
                doubles[i] += in[i];
            }
        }
    }

    /** A new tensor of the given type with these values (rounded when narrowing). */
    public Tensor to(DType target) {
        Tensor copy = zeros(target, shape);
        copy.copyFrom(this);
        return copy;
    }

    /** A new (cols, rows) tensor holding the transpose of this rank-2 one (PyTorch's (out, in) ↔ simdnet's (in, out)). */
    public Tensor transposed() {
        if (shape.rank() != 2) {
            throw new IllegalArgumentException("transposed: needs a matrix, got shape " + shape);
        }
        int rows = shape.dim(0);
        int cols = shape.dim(1);
        Tensor out = zeros(dtype, Shape.of(cols, rows));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out.set(c * rows + r, get(r * cols + c));
            }
        }
        return out;
    }

    /** Copies {@code into.length} elements from {@code offset} into {@code into}, widening floats. */
    public void read(int offset, double[] into) {
        if (floats != null) {
            for (int i = 0; i < into.length; i++) {
                into[i] = floats[offset + i];
            }
        } else {
            System.arraycopy(doubles, offset, into, 0, into.length);
        }
    }

    /** Writes all of {@code from} from {@code offset} on, rounding to float for an F32 tensor. */
    public void write(double[] from, int offset) {
        if (floats != null) {
            for (int i = 0; i < from.length; i++) {
                floats[offset + i] = (float) from[i];
            }
        } else {
            System.arraycopy(from, 0, doubles, offset, from.length);
        }
    }

    /** The values as doubles, a copy of exactly {@link #size()} elements. */
    public double[] toDoubleArray() {
        double[] values = new double[size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = floats != null ? floats[i] : doubles[i];
        }
        return values;
    }

    /** Throws unless this tensor has {@code expected} shape; {@code what} names the caller for the message. */
    public void requireShape(String what, Shape expected) {
        if (!shape.equals(expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + expected + ", got " + shape);
        }
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype + ", " + shape + ")";
    }
}
