package io.simdnet.engine.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Byte-level helpers for the data tests: gzip, truncation, appending. */
final class TestFiles {

    private TestFiles() {
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the gzip of {@code source}'s bytes to {@code target}. */
    static Path gzipFile(Path source, Path target) throws IOException {
        return Files.write(target, gzip(Files.readAllBytes(source)));
    }

    /** Replaces {@code file} by its first {@code length} bytes. */
    static void truncate(Path file, int length) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, length));
    }

    static void append(Path file, byte... extra) throws IOException {
        Files.write(file, extra, StandardOpenOption.APPEND);
    }
}
