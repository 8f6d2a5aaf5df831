package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * Images (N, C, H, W), or any (N, ...) samples, of unsigned bytes 0..255 over one flat row-major array: how MNIST and
 * CIFAR are stored, a quarter of the memory of the same pixels as floats. They become floats only when a batch is
 * gathered from a {@link Dataset} ({@link Dataset#of(Uint8Images, Tensor)}). As with {@link Tensor}, the array may
 * be longer than the shape needs (a reader that compacts records in place leaves the label bytes' room at its end).
 * Java bytes are signed: {@link #get} reads them unsigned.
 */
public record Uint8Images(byte[] pixels, Shape shape) {

    public Uint8Images {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(shape, "shape");
        if (shape.rank() < 2) {
            throw new IllegalArgumentException("Uint8Images: expected shape (N, ...) with at least one dimension per sample, got " + shape);
        }
        if (pixels.length < shape.size()) {
            throw new IllegalArgumentException("Uint8Images of shape " + shape + " needs " + shape.size() + " bytes, the array has " + pixels.length);
        }
    }

    /** Wraps {@code pixels} without copying. */
    public static Uint8Images of(byte[] pixels, int... dims) {
        return new Uint8Images(pixels, Shape.of(dims));
    }

    /**
     * The values of {@code values} rounded to the nearest integer, each of which must lie in 0..255 (images in [0, 1]
     * must be multiplied by 255 first): for writers and tests that hold pixels as floats.
     */
    public static Uint8Images of(Tensor values) {
        byte[] pixels = new byte[values.size()];
        for (int i = 0; i < pixels.length; i++) {
            int value = DataFiles.roundedByte(values.get(i), 255);
            if (value < 0) {
                throw new IllegalArgumentException("Uint8Images: value " + values.get(i) + " at index " + i + " is not a byte; expected 0..255");
            }
            pixels[i] = (byte) value;
        }
        return new Uint8Images(pixels, values.shape());
    }

    /** The first dimension. */
    public int batch() {
        return shape.dim(0);
    }

    /** Number of values the shape covers. */
    public int size() {
        return shape.size();
    }

    /** The value at {@code flatIndex}, 0..255. */
    public int get(int flatIndex) {
        if (flatIndex < 0 || flatIndex >= shape.size()) {
            throw new IndexOutOfBoundsException("Index " + flatIndex + " outside images of shape " + shape + " (" + shape.size() + " values)");
        }
        return pixels[flatIndex] & 0xFF;
    }

    /** The values 0..255 as a new F32 tensor of the same shape (four times the memory). */
    public Tensor toTensor() {
        Tensor out = Tensor.zeros(DType.F32, shape);
        float[] values = out.floats();
        for (int i = 0; i < values.length; i++) {
            values[i] = pixels[i] & 0xFF;
        }
        return out;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Uint8Images o) || !shape.equals(o.shape)) {
            return false;
        }
        return Arrays.equals(pixels, 0, shape.size(), o.pixels, 0, shape.size());
    }

    @Override
    public int hashCode() {
        // The first values only: equal images agree on them, and hashing 150 MB of pixels helps nobody.
        return 31 * shape.hashCode() + Arrays.hashCode(Arrays.copyOf(pixels, Math.min(shape.size(), 64)));
    }

    @Override
    public String toString() {
        return "Uint8Images(" + shape + ")";
    }
}
