package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The IDX files of MNIST and Fashion-MNIST, raw or gzip (recognised by its magic bytes, not the file name). All
 * integers are big-endian. Images: magic 0x00000803, count, rows, cols, then count·rows·cols unsigned bytes, row-major,
 * one image after another. Labels: magic 0x00000801, count, then count unsigned bytes. Readers return the raw values
 * 0..255 (images as the bytes they are, labels as floats) and insist on exactly the bytes the header announces: a
 * truncated download and a file with something appended are both errors rather than silently fewer or more samples.
 */
public final class Idx {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;

    private Idx() {
    }

    /** Images (N, 1, rows, cols) of the raw pixel values 0..255, one byte each. */
    public static Uint8Images readImages(Path file) throws IOException {
        return readImages(file, 0, 0);
    }

    /**
     * Images of exactly {@code rows}×{@code cols} pixels (0 for any): the header is checked against this, against the
     * file's length and against the heap before the body is decompressed.
     */
    public static Uint8Images readImages(Path file, int expectedRows, int expectedCols) throws IOException {
        try (DataFiles.Sequential in = new DataFiles.Sequential(file)) {
            byte[] headerBytes = in.read(IMAGES_HEADER);
            if (headerBytes.length < IMAGES_HEADER) {
                throw new MalformedDataException(file, "truncated: an IDX image file starts with a " + IMAGES_HEADER + "-byte header, "
                        + in.has() + " " + headerBytes.length + " bytes");
            }
            ByteBuffer header = ByteBuffer.wrap(headerBytes);
            checkMagic(file, header.getInt(), IMAGES_MAGIC, "image");
            int count = positive(file, header.getInt(), "image count");
            int rows = positive(file, header.getInt(), "row count");
            int cols = positive(file, header.getInt(), "column count");
            if (expectedRows > 0 && (rows != expectedRows || cols != expectedCols)) {
                throw new MalformedDataException(file, "images of " + rows + "×" + cols + " pixels, expected " + expectedRows + "×" + expectedCols);
            }
            // In double first: three positive ints can overflow a long (a fuzzed header did), and a wrapped product passes the check.
            double product = (double) count * rows * cols;
            long pixels = product > DataFiles.MAX_ARRAY ? Long.MAX_VALUE : (long) count * rows * cols;
            String what = count + " images of " + rows + "×" + cols + " pixels";
            if (pixels > DataFiles.MAX_ARRAY) {
                throw new MalformedDataException(file, count + " images of " + rows + "×" + cols + " are " + String.format(java.util.Locale.ROOT, "%.4g", product)
                        + " pixels, more than one array holds");
            }
            in.checkCanHold(IMAGES_HEADER + pixels, what);
            // The body is the images: read into one array of exactly their size, kept as it is.
            DataFiles.checkFitsHeap(file, pixels, 0, "the header's " + what);
            byte[] body = in.read((int) pixels);
            if (body.length < pixels) {
                checkLength(file, in, IMAGES_HEADER + pixels, in.position(), what);
            }
            checkLength(file, in, IMAGES_HEADER + pixels, in.position() + in.drain(), what);
            return Uint8Images.of(body, count, 1, rows, cols);
        }
    }

    /** Labels as an F32 tensor (N,) of the raw values 0..255. */
    public static Tensor readLabels(Path file) throws IOException {
        try (DataFiles.Sequential in = new DataFiles.Sequential(file)) {
            byte[] headerBytes = in.read(LABELS_HEADER);
            if (headerBytes.length < LABELS_HEADER) {
                throw new MalformedDataException(file, "truncated: an IDX label file starts with an " + LABELS_HEADER + "-byte header, "
                        + in.has() + " " + headerBytes.length + " bytes");
            }
            ByteBuffer header = ByteBuffer.wrap(headerBytes);
            checkMagic(file, header.getInt(), LABELS_MAGIC, "label");
            int count = positive(file, header.getInt(), "label count");
            String what = count + " labels";
            in.checkCanHold((long) LABELS_HEADER + count, what);
            DataFiles.checkFitsHeap(file, count, Float.BYTES, "the header's " + what);
            byte[] body = in.read(count);
            if (body.length < count) {
                checkLength(file, in, (long) LABELS_HEADER + count, in.position(), what);
            }
            checkLength(file, in, (long) LABELS_HEADER + count, in.position() + in.drain(), what);
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = body[i] & 0xFF;
            }
            return Tensor.of(values, count);
        }
    }

    /**
     * Writes images (N, 1, rows, cols) or (N, rows, cols) as a raw, uncompressed IDX file. Values are pixel values: each
     * is rounded to the nearest integer, which must lie in 0..255 (images scaled to [0, 1] must be multiplied by 255
     * first).
     */
    public static void writeImages(Path file, Tensor images) throws IOException {
        int rank = images.shape().rank();
        if (!(rank == 3 || rank == 4 && images.shape().dim(1) == 1)) {
            throw new IllegalArgumentException(file + ": IDX images must have shape (N, 1, rows, cols) or (N, rows, cols), got " + images.shape());
        }
        int count = images.batch();
        int rows = images.shape().dim(rank - 2);
        int cols = images.shape().dim(rank - 1);
        ByteBuffer bytes = ByteBuffer.allocate(IMAGES_HEADER + images.size());
        bytes.putInt(IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
        putBytes(file, images, bytes);
        DataFiles.writeAtomically(file, bytes.array());
    }

    /** Writes labels (N,) as a raw, uncompressed IDX file; each value is rounded and must lie in 0..255. */
    public static void writeLabels(Path file, Tensor labels) throws IOException {
        if (labels.shape().rank() != 1) {
            throw new IllegalArgumentException(file + ": IDX labels must have shape (N,), got " + labels.shape());
        }
        ByteBuffer bytes = ByteBuffer.allocate(LABELS_HEADER + labels.size());
        bytes.putInt(LABELS_MAGIC).putInt(labels.size());
        putBytes(file, labels, bytes);
        DataFiles.writeAtomically(file, bytes.array());
    }

    private static void putBytes(Path file, Tensor values, ByteBuffer bytes) {
        for (int i = 0; i < values.size(); i++) {
            int value = DataFiles.roundedByte(values.get(i), 255);
            if (value < 0) {
                throw new IllegalArgumentException(file + ": value " + values.get(i) + " at index " + i + " is not a byte; expected 0..255");
            }
            bytes.put((byte) value);
        }
    }

    private static void checkMagic(Path file, int magic, int expected, String kind) throws MalformedDataException {
        if (magic != expected) {
            String hint = magic == IMAGES_MAGIC ? " (that of an image file)" : magic == LABELS_MAGIC ? " (that of a label file)" : "";
            throw new MalformedDataException(file, String.format("magic number 0x%08X%s, expected 0x%08X (%d) for an IDX %s file",
                    magic, hint, expected, expected, kind));
        }
    }

    private static int positive(Path file, int value, String what) throws MalformedDataException {
        if (value <= 0) {
            throw new MalformedDataException(file, "the header's " + what + " is " + value + ", expected a positive number");
        }
        return value;
    }

    private static void checkLength(Path file, DataFiles.Sequential in, long expected, long actual, String what) throws MalformedDataException {
        if (actual < expected) {
            throw new MalformedDataException(file, "truncated: " + what + " need " + expected + " bytes with the header, " + in.has() + " " + actual);
        }
        if (actual > expected) {
            throw new MalformedDataException(file, (actual - expected) + " trailing bytes: " + what + " need " + expected + " bytes with the header, "
                    + in.has() + " " + actual);
        }
    }
}
