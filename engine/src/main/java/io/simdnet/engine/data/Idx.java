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
 * 0..255 as floats and insist on exactly the bytes the header announces: a truncated download and a file with
 * something appended are both errors rather than silently fewer or more samples.
 */
public final class Idx {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;

    private Idx() {
    }

    /** Images as an F32 tensor (N, 1, rows, cols) of the raw pixel values 0..255. */
    public static Tensor readImages(Path file) throws IOException {
        DataFiles.Contents contents = DataFiles.readAll(file);
        byte[] bytes = contents.bytes();
        if (bytes.length < IMAGES_HEADER) {
            throw new MalformedDataException(file, "truncated: an IDX image file starts with a " + IMAGES_HEADER + "-byte header, "
                    + contents.has() + " " + bytes.length + " bytes");
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 0, IMAGES_HEADER);
        checkMagic(file, header.getInt(), IMAGES_MAGIC, "image");
        int count = positive(file, header.getInt(), "image count");
        int rows = positive(file, header.getInt(), "row count");
        int cols = positive(file, header.getInt(), "column count");
        long pixels = (long) count * rows * cols;
        if (pixels > DataFiles.MAX_ARRAY) {
            throw new MalformedDataException(file, count + " images of " + rows + "×" + cols + " are " + pixels + " pixels, more than one array holds");
        }
        checkLength(file, contents, IMAGES_HEADER + pixels, count + " images of " + rows + "×" + cols + " pixels");
        float[] values = new float[(int) pixels];
        for (int i = 0; i < values.length; i++) {
            values[i] = bytes[IMAGES_HEADER + i] & 0xFF;
        }
        return Tensor.of(values, count, 1, rows, cols);
    }

    /** Labels as an F32 tensor (N,) of the raw values 0..255. */
    public static Tensor readLabels(Path file) throws IOException {
        DataFiles.Contents contents = DataFiles.readAll(file);
        byte[] bytes = contents.bytes();
        if (bytes.length < LABELS_HEADER) {
            throw new MalformedDataException(file, "truncated: an IDX label file starts with an " + LABELS_HEADER + "-byte header, "
                    + contents.has() + " " + bytes.length + " bytes");
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 0, LABELS_HEADER);
        checkMagic(file, header.getInt(), LABELS_MAGIC, "label");
        int count = positive(file, header.getInt(), "label count");
        checkLength(file, contents, (long) LABELS_HEADER + count, count + " labels");
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = bytes[LABELS_HEADER + i] & 0xFF;
        }
        return Tensor.of(values, count);
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

    private static void checkLength(Path file, DataFiles.Contents contents, long expected, String what) throws MalformedDataException {
        long actual = contents.bytes().length;
        if (actual < expected) {
            throw new MalformedDataException(file, "truncated: " + what + " need " + expected + " bytes with the header, " + contents.has() + " "
                    + actual);
        }
        if (actual > expected) {
            throw new MalformedDataException(file, (actual - expected) + " trailing bytes: " + what + " need " + expected + " bytes with the header, "
                    + contents.has() + " " + actual);
        }
    }
}
