package io.simdnet.engine.data;

import io.simdnet.engine.init.Rng;
import io.simdnet.kernel.DType;
import io.simdnet.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Helpers for the data tests: gzip, truncation, appending, random CIFAR batches. */
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

    /** {@code n} random CIFAR images (whole numbers 0-255) with labels, and coarse labels for CIFAR-100. */
    static Cifar.Batch randomCifarBatch(int n, boolean cifar100, long seed) {
        Rng rng = new Rng(seed);
        Tensor images = Tensor.zeros(DType.F32, n, 3, 32, 32);
        for (int i = 0; i < images.size(); i++) {
            images.set(i, rng.nextInt(256));
        }
        Tensor labels = Tensor.zeros(DType.F32, n);
        Tensor coarse = cifar100 ? Tensor.zeros(DType.F32, n) : null;
        for (int i = 0; i < n; i++) {
            labels.set(i, rng.nextInt(cifar100 ? 100 : 10));
            if (coarse != null) {
                coarse.set(i, rng.nextInt(20));
            }
        }
        return new Cifar.Batch(Uint8Images.of(images), labels, coarse);
    }
}
