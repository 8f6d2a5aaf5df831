package io.simdnet.engine.data;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The binary versions of CIFAR-10 and CIFAR-100, raw or gzip: fixed-size records without header or delimiter. A
 * CIFAR-10 record is 1 label byte and 3072 pixel bytes; a CIFAR-100 record is a coarse label byte, a fine label byte
 * and 3072 pixel bytes. The pixels are the red plane, then green, then blue, each 32×32 row-major: exactly one
 * image's NCHW layout, so a record's pixels are copied in order.
 */
public final class Cifar {

    private static final int CHANNELS = 3;
    private static final int SIDE = 32;
    private static final int PIXELS = CHANNELS * SIDE * SIDE;
    private static final int COARSE_CLASSES = 20;

    private Cifar() {
    }

    /** Which of the two record layouts a file has. */
    public enum Format {
        CIFAR10(1, 10), CIFAR100(2, 100);

        private final int labelBytes;
        private final int classes;

        Format(int labelBytes, int classes) {
            this.labelBytes = labelBytes;
            this.classes = classes;
        }

        /** Bytes per record: the label bytes and the pixels. */
        public int recordBytes() {
            return labelBytes + PIXELS;
        }

        /** Number of (fine) classes. */
        public int classes() {
            return classes;
        }
    }

    /**
     * Images (N, 3, 32, 32) of the raw bytes 0..255, labels F32 (N,) (the CIFAR-10 label or the CIFAR-100 fine
     * label) and, for CIFAR-100 only, the coarse labels F32 (N,); else null.
     */
    public record Batch(Uint8Images images, Tensor labels, Tensor coarseLabels) {

        public Batch {
            Objects.requireNonNull(images, "images");
            Objects.requireNonNull(labels, "labels");
            int n = images.batch();
            if (!images.shape().equals(Shape.of(n, CHANNELS, SIDE, SIDE))) {
                throw new IllegalArgumentException("CIFAR images: expected shape " + Shape.of(n, CHANNELS, SIDE, SIDE) + ", got " + images.shape());
            }
            labels.requireShape("CIFAR labels", Shape.of(n));
            if (coarseLabels != null) {
                coarseLabels.requireShape("CIFAR coarse labels", Shape.of(n));
            }
        }

        public int size() {
            return images.batch();
        }

        /** Images and (fine) labels as a dataset of raw pixel values 0..255, sharing their storage. */
        public Dataset toDataset() {
            return Dataset.of(images, labels);
        }
    }

    /** Reads one batch file, checking that it holds whole records and that every label is in range. */
    public static Batch read(Path file, Format format) throws IOException {
        return readAll(List.of(file), format);
    }

    /**
     * Reads and concatenates several batch files, e.g. {@code data_batch_1.bin} .. {@code data_batch_5.bin}. The
     * pixels stay bytes: one file's records are compacted in place in the array it was read into, so CIFAR-100's
     * training set takes its file's 154 MB and no more.
     */
    public static Batch readAll(List<Path> files, Format format) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("Cifar.readAll: no files given");
        }
        // All files are read and checked before the images are laid out, so a bad last file costs no copying.
        List<byte[]> contents = new ArrayList<>(files.size());
        long records = 0;
        for (Path file : files) {
            byte[] bytes = checked(file, format);
            contents.add(bytes);
            records += bytes.length / format.recordBytes();
        }
        if (records * PIXELS > DataFiles.MAX_ARRAY) {
            throw new IllegalArgumentException("Cifar.readAll: " + records + " images are more than one array holds");
        }
        int n = (int) records;
        byte[] images = contents.size() == 1 ? contents.get(0) : new byte[n * PIXELS];
        float[] labels = new float[n];
        float[] coarse = format == Format.CIFAR100 ? new float[n] : null;
        int sample = 0;
        for (int f = 0; f < contents.size(); f++) {
            byte[] bytes = contents.get(f);
            // Released as soon as it is copied: the files and the images together need not fit at once.
            contents.set(f, null);
            for (int at = 0; at < bytes.length; at += format.recordBytes(), sample++) {
                if (coarse != null) {
                    coarse[sample] = bytes[at] & 0xFF;
                }
                labels[sample] = bytes[at + format.labelBytes - 1] & 0xFF;
                // In place (images == bytes) the target starts before the source and ends before the next record: safe.
                System.arraycopy(bytes, at + format.labelBytes, images, sample * PIXELS, PIXELS);
            }
        }
        return new Batch(Uint8Images.of(images, n, CHANNELS, SIDE, SIDE), Tensor.of(labels, n), coarse == null ? null : Tensor.of(coarse, n));
    }

    private static byte[] checked(Path file, Format format) throws IOException {
        DataFiles.Contents contents = DataFiles.readAll(file);
        byte[] bytes = contents.bytes();
        int record = format.recordBytes();
        if (bytes.length % record != 0) {
            throw new MalformedDataException(file, "truncated: " + bytes.length + " bytes is not a whole number of " + record + "-byte records ("
                    + bytes.length / record + " records and " + bytes.length % record + " bytes" + (contents.gzipped() ? ", after decompression" : "")
                    + "; " + format + " expected)");
        }
        if (bytes.length == 0) {
            throw new MalformedDataException(file, "empty: expected at least one " + record + "-byte " + format + " record");
        }
        for (int at = 0, index = 0; at < bytes.length; at += record, index++) {
            if (format == Format.CIFAR100) {
                checkLabel(file, index, "coarse label", bytes[at] & 0xFF, COARSE_CLASSES);
                checkLabel(file, index, "fine label", bytes[at + 1] & 0xFF, format.classes());
            } else {
                checkLabel(file, index, "label", bytes[at] & 0xFF, format.classes());
            }
        }
        return bytes;
    }

    private static void checkLabel(Path file, int record, String what, int value, int classes) throws MalformedDataException {
        if (value >= classes) {
            throw new MalformedDataException(file, "record " + record + ": " + what + " " + value + ", expected 0.." + (classes - 1));
        }
    }

    /**
     * Class names, one per non-empty line ({@code batches.meta.txt}, {@code fine_label_names.txt},
     * {@code coarse_label_names.txt}); surrounding white space is dropped.
     */
    public static List<String> labelNames(Path textFile) throws IOException {
        String text;
        try {
            text = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(DataFiles.readAll(textFile).bytes())).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedDataException(textFile, "not UTF-8 text; expected one class name per line", e);
        }
        List<String> names = text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new MalformedDataException(textFile, "no class names; expected one per line");
        }
        return names;
    }

    /**
     * Writes {@code batch} as a raw file of {@code format} records. Labels are rounded to the nearest integer and must be
     * in range (the format's classes); CIFAR-100 needs the coarse labels, CIFAR-10 has none.
     */
    public static void write(Path file, Batch batch, Format format) throws IOException {
        boolean coarse = format == Format.CIFAR100;
        if (coarse != (batch.coarseLabels() != null)) {
            throw new IllegalArgumentException(file + ": " + format + (coarse ? " records need coarse labels, the batch has none"
                    : " records have no coarse label, but the batch has coarse labels"));
        }
        int record = format.recordBytes();
        byte[] bytes = new byte[Math.multiplyExact(batch.size(), record)];
        for (int n = 0; n < batch.size(); n++) {
            int at = n * record;
            if (coarse) {
                bytes[at] = toByte(file, "coarse label", n, batch.coarseLabels().get(n), COARSE_CLASSES - 1);
            }
            bytes[at + format.labelBytes - 1] = toByte(file, coarse ? "fine label" : "label", n, batch.labels().get(n), format.classes() - 1);
            System.arraycopy(batch.images().pixels(), n * PIXELS, bytes, at + format.labelBytes, PIXELS);
        }
        DataFiles.writeAtomically(file, bytes);
    }

    private static byte toByte(Path file, String what, int index, double value, int max) {
        int rounded = DataFiles.roundedByte(value, max);
        if (rounded < 0) {
            throw new IllegalArgumentException(file + ": " + what + " of image " + index + " is " + value + ", expected 0.." + max);
        }
        return (byte) rounded;
    }
}
