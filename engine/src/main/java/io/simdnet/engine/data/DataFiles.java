package io.simdnet.engine.data;


import io.simdnet.engine.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Whole-file reads that see through gzip, and atomic writes: what every reader and writer of this package shares.
 * Gzip is recognised by its magic bytes, not by the file name, because dataset mirrors are inconsistent about the
 * {@code .gz} suffix (some serve decompressed files under the compressed name).
 */
final class DataFiles {

    /** Largest byte array the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final long MAX_DEFLATE_RATIO = 1032;

    /** Large enough for every file of MNIST and CIFAR in one allocation; bigger ones grow by doubling. */
    private static final long MAX_FIRST_GUESS = 1L << 28;

    private DataFiles() {
    }

    /** A file's bytes after decompression, and whether it was gzip, so that messages can say which size they mean. */
    record Contents(byte[] bytes, boolean gzipped) {

        /** "the file has" or "the decompressed file has", for messages that quote a length. */
        String has() {
            return gzipped ? "the decompressed file has" : "the file has";
        }
    }

    static boolean isGzip(Path file) throws IOException {
        requireFile(file);
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Throws, naming the path, when it is a folder: the JDK's own "Is a directory" says neither which nor what was expected. */
    static void requireFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a folder, expected a file");
        }
    }

    /** All of {@code file}'s bytes, decompressed if it starts with the gzip magic. */
    static Contents readAll(Path file) throws IOException {
        boolean gzipped = isGzip(file);
        long sizeHint = gzipped ? gzipSizeHint(file) : Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            if (!gzipped) {
                return new Contents(readStream(file, raw, sizeHint), false);
            }
            try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
                return new Contents(readStream(file, in, sizeHint), true);
            } catch (EOFException e) {
                throw new MalformedDataException(file, "truncated gzip data: the compressed stream ends early (" + e.getMessage() + ")", e);
            } catch (ZipException e) {
                throw new MalformedDataException(file, "corrupt gzip data: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The gzip trailer's ISIZE field: the decompressed length modulo 2^32 of the last member. Only a first guess for the
     * buffer size (a file of several members or over 4 GiB makes it wrong), so the stream decides the real length. In
     * a cut file those 4 bytes are arbitrary, so the guess is bounded by what the compressed size can hold (deflate
     * expands at most 1032-fold) and by {@link #MAX_FIRST_GUESS}: a corrupt file must not allocate gigabytes before it
     * is found out.
     */
    private static long gzipSizeHint(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 18) {
                return 0;
            }
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(trailer, size - 4);
            long isize = trailer.flip().remaining() == 4 ? Integer.toUnsignedLong(trailer.getInt()) : 0;
            return Math.min(isize, Math.min(size * MAX_DEFLATE_RATIO, MAX_FIRST_GUESS));
        }
    }

    private static byte[] readStream(Path file, InputStream in, long sizeHint) throws IOException {
        byte[] buffer = new byte[(int) Math.clamp(sizeHint, 16, MAX_ARRAY)];
        int length = 0;
        while (true) {
            int read = in.read(buffer, length, buffer.length - length);
            if (read < 0) {
                return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
            }
            length += read;
            if (length == buffer.length) {
                int next = in.read();
                if (next < 0) {
                    return buffer;
                }
                if (buffer.length == MAX_ARRAY) {
                    throw new MalformedDataException(file, "larger than " + MAX_ARRAY + " bytes, more than one array holds");
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(2L * buffer.length, MAX_ARRAY));
                buffer[length++] = (byte) next;
            }
        }
    }

    /**
     * A file read front to back through gzip when it has the magic, so that a reader can check a header before the
     * body is decompressed (a small file must not be able to announce, and make the reader allocate, gigabytes).
     * Gzip faults become {@link MalformedDataException}s naming the file; {@link #position} counts decompressed bytes.
     */
    static final class Sequential implements AutoCloseable {

        private final Path file;
        private final InputStream in;
        private final boolean gzipped;
        private long position;

        Sequential(Path file) throws IOException {
            this.file = file;
            this.gzipped = isGzip(file);
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            try {
                this.in = gzipped ? new GZIPInputStream(raw, 1 << 16) : raw;
            } catch (EOFException e) {
                raw.close();
                throw new MalformedDataException(file, "truncated gzip data: the compressed stream ends early (" + e.getMessage() + ")", e);
            } catch (ZipException e) {
                raw.close();
                throw new MalformedDataException(file, "corrupt gzip data: " + e.getMessage(), e);
            }
        }

        boolean gzipped() {
            return gzipped;
        }

        /**
         * Throws unless the file can hold {@code expected} (decompressed) bytes: a raw file must have exactly that
         * length, a gzip file at least 1/1032 of it (deflate's largest expansion). Checked before reading the body.
         */
        void checkCanHold(long expected, String what) throws IOException {
            long size = Files.size(file);
            if (!gzipped) {
                if (size < expected) {
                    throw new MalformedDataException(file, "truncated: " + what + " need " + expected + " bytes with the header, the file has " + size);
                }
                return;
            }
            if (size * MAX_DEFLATE_RATIO < expected) {
                throw new MalformedDataException(file, "truncated: " + what + " need " + expected + " bytes with the header, but a gzip file of "
                        + size + " bytes decompresses to at most " + size * MAX_DEFLATE_RATIO);
            }
        }

        /** "the file has" or "the decompressed file has". */
        String has() {
            return gzipped ? "the decompressed file has" : "the file has";
        }

        long position() {
            return position;
        }

        /** Up to {@code n} bytes: fewer only at the end of the data. */
        byte[] read(int n) throws IOException {
            try {
                byte[] bytes = in.readNBytes(n);
                position += bytes.length;
                return bytes;
            } catch (EOFException e) {
                throw new MalformedDataException(file, "truncated gzip data: the compressed stream ends early (" + e.getMessage() + ")", e);
            } catch (ZipException e) {
                throw new MalformedDataException(file, "corrupt gzip data: " + e.getMessage(), e);
            }
        }

        /** Reads to the end (which also checks a gzip trailer) and returns how many bytes were left. */
        long drain() throws IOException {
            long left = 0;
            byte[] chunk = new byte[1 << 16];
            try {
                for (int n; (n = in.read(chunk)) > 0; ) {
                    left += n;
                }
            } catch (EOFException e) {
                throw new MalformedDataException(file, "truncated gzip data: the compressed stream ends early (" + e.getMessage() + ")", e);
            } catch (ZipException e) {
                throw new MalformedDataException(file, "corrupt gzip data: " + e.getMessage(), e);
            }
            position += left;
            return left;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Throws unless {@code bytes} more bytes (with {@code perByte} bytes of result each) fit the heap now: checked
     * before a reader allocates what a header announces, so a too-large (or lying) file fails with one line, not an
     * {@link OutOfMemoryError}.
     */
    static void checkFitsHeap(Path file, long bytes, int perByte, String what) throws MalformedDataException {
        Runtime runtime = Runtime.getRuntime();
        long available = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        // The array headroom: at most one array per value kind, each below MAX_ARRAY.
        long need = bytes > Long.MAX_VALUE / (1 + perByte) ? Long.MAX_VALUE : bytes * (1 + perByte);
        if (bytes > MAX_ARRAY || need > available) {
            throw new MalformedDataException(file, what + " need " + (need >> 20) + " MiB to load, the heap has "
                    + (available >> 20) + " MiB free (more with -Xmx, e.g. SIMDNET_JAVA_OPTS=-Xmx4g for bin/simdnet; or use a smaller file)");
        }
    }

    /** Writes what {@code body} puts into the file's channel. */
    @FunctionalInterface
    interface Body {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Writes {@code file} through a temporary file beside it that is forced to disk and then renamed over the target:
     * an interrupted or failed write leaves any existing file as it was and no temporary file behind.
     */
    static void writeAtomically(Path file, Body body) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temporary = createTemporary(target);
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                body.writeTo(channel);
                // Without this the rename can reach the disk before the data, leaving an empty file under the final name.
                channel.force(true);
            }
            moveIntoPlace(temporary, target);
        } catch (Throwable failure) {
            deleteQuietly(temporary, failure);
            if (failure instanceof IOException io && (io.getMessage() == null || !io.getMessage().contains(target.getFileName().toString()))) {
                // "No space left on device" alone does not say which file was lost.
                throw new IOException(file + ": could not write (" + (io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage())
                        + "); any earlier version of the file is unchanged", io);
            }
            throw failure;
        }
    }

    /** Deletes a temporary file after {@code failure}; a failing delete is attached to it rather than hiding it. */
    static void deleteQuietly(Path temporary, Throwable failure) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /** Writes all of {@code bytes} to {@code file} atomically. */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        writeAtomically(file, channel -> writeFully(channel, ByteBuffer.wrap(bytes)));
    }

    static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Creates an empty file with a fresh name beside {@code target}. */
    static Path createTemporary(Path target) throws IOException {
        return AtomicFiles.createTemporary(target);
    }

    static void moveIntoPlace(Path temporary, Path target) throws IOException {
        AtomicFiles.moveIntoPlace(temporary, target);
    }

    /** The value rounded to the nearest integer if it lies in [0, max] after rounding, else -1 (NaN included). */
    static int roundedByte(double value, int max) {
        double rounded = Math.rint(value);
        return rounded >= 0 && rounded <= max ? (int) rounded : -1;
    }
}
