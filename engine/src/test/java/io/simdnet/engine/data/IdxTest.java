package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path dir;

    /** Three 4×5 images whose pixels run through 0..255 with a stride, so that every position differs. */
    static Tensor images() {
        Tensor images = Tensor.zeros(DType.F32, 3, 1, 4, 5);
        for (int i = 0; i < images.size(); i++) {
            images.set(i, (i * 37) % 256);
        }
        return images;
    }

    @Test
    void writtenImageFileHasTheBigEndianIdxLayout() throws IOException {
        Path file = dir.resolve("images");
        Idx.writeImages(file, images());
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        assertEquals(16 + 60, bytes.remaining());
        assertEquals(0x00000803, bytes.getInt(), "magic");
        assertEquals(3, bytes.getInt(), "count");
        assertEquals(4, bytes.getInt(), "rows");
        assertEquals(5, bytes.getInt(), "cols");
        for (int i = 0; i < 60; i++) {
            assertEquals((i * 37) % 256, bytes.get() & 0xFF, "pixel " + i);
        }
    }

    @Test
    void imagesRoundTripRawAndGzippedWhateverTheFileName() throws IOException {
        Path raw = dir.resolve("train-images-idx3-ubyte");
        Idx.writeImages(raw, images());
        // Gzip is recognised by its magic bytes: a gzip file without the suffix reads the same.
        Path gz = TestFiles.gzipFile(raw, dir.resolve("train-images-idx3-ubyte.gz"));
        Path gzNoSuffix = TestFiles.gzipFile(raw, dir.resolve("compressed-but-unnamed"));
        for (Path file : new Path[] {raw, gz, gzNoSuffix}) {
            Uint8Images read = Idx.readImages(file);
            assertEquals(Shape.of(3, 1, 4, 5), read.shape(), file.toString());
            assertArrayEquals(images().floats(), read.toTensor().floats(), file.toString());
        }
    }

    @Test
    void labelsRoundTripRawAndGzipped() throws IOException {
        Tensor labels = Tensor.of(new float[] {0, 9, 255, 3}, 4);
        Path raw = dir.resolve("labels");
        Idx.writeLabels(raw, labels);
        assertArrayEquals(new byte[] {0, 0, 8, 1, 0, 0, 0, 4, 0, 9, (byte) 255, 3}, Files.readAllBytes(raw));
        Path gz = TestFiles.gzipFile(raw, dir.resolve("labels.gz"));
        for (Path file : new Path[] {raw, gz}) {
            Tensor read = Idx.readLabels(file);
            assertEquals(Shape.of(4), read.shape());
            assertArrayEquals(labels.floats(), read.floats());
        }
    }

    @Test
    void threeDimensionalImagesAreWrittenAsOneChannel() throws IOException {
        Path file = dir.resolve("images");
        Idx.writeImages(file, images().view(Shape.of(3, 4, 5)));
        assertEquals(Shape.of(3, 1, 4, 5), Idx.readImages(file).shape());
    }

    @Test
    void labelFileReadAsImagesIsRefusedByItsMagicNumber() throws IOException {
        Path file = dir.resolve("labels");
        Idx.writeLabels(file, Tensor.of(new float[16], 16));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("magic number 0x00000801 (that of a label file), expected 0x00000803"), e.getMessage());
        MalformedDataException reverse = assertThrows(MalformedDataException.class, () -> {
            Path images = dir.resolve("images");
            Idx.writeImages(images, images());
            Idx.readLabels(images);
        });
        assertTrue(reverse.getMessage().contains("expected 0x00000801 (2049) for an IDX label file"), reverse.getMessage());
    }

    @Test
    void truncatedImagesNameExpectedAndActualByteCounts() throws IOException {
        Path file = dir.resolve("images");
        Idx.writeImages(file, images());
        TestFiles.truncate(file, 70);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("need 76 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("the file has 70"), e.getMessage());
    }

    @Test
    void truncatedGzippedImagesSayDecompressed() throws IOException {
        Path raw = dir.resolve("images");
        Idx.writeImages(raw, images());
        TestFiles.truncate(raw, 50);
        Path gz = TestFiles.gzipFile(raw, dir.resolve("images.gz"));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(gz));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("the decompressed file has 50"), e.getMessage());
    }

    @Test
    void cutGzipStreamIsReportedAsTruncatedGzip() throws IOException {
        Path raw = dir.resolve("images");
        Idx.writeImages(raw, images());
        Path gz = TestFiles.gzipFile(raw, dir.resolve("images.gz"));
        TestFiles.truncate(gz, (int) Files.size(gz) - 12);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(gz));
        assertTrue(e.getMessage().contains("truncated gzip"), e.getMessage());
    }

    @Test
    void gzipTrailerClaimingFourGigabytesDoesNotAllocateThem() throws IOException {
        Path raw = dir.resolve("labels");
        Idx.writeLabels(raw, Tensor.of(new float[] {1, 2, 3}, 3));
        Path gz = TestFiles.gzipFile(raw, dir.resolve("labels.gz"));
        byte[] bytes = Files.readAllBytes(gz);
        // ISIZE, the last four bytes, is the reader's first guess of the decompressed size; a cut file has garbage there.
        Arrays.fill(bytes, bytes.length - 4, bytes.length, (byte) 0xFF);
        Files.write(gz, bytes);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readLabels(gz));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("corrupt gzip data"), e.getMessage());
        assertTrue(allocated < 4 << 20, allocated + " bytes allocated to read a " + bytes.length + "-byte file");
    }

    @Test
    void shortHeaderIsTruncated() throws IOException {
        Path file = Files.write(dir.resolve("tiny"), new byte[] {0, 0, 8, 3, 0, 0});
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(file));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("16-byte header") && e.getMessage().contains("6 bytes"),
                e.getMessage());
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        Path images = dir.resolve("images");
        Idx.writeImages(images, images());
        TestFiles.append(images, (byte) 1, (byte) 2, (byte) 3);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(images));
        assertTrue(e.getMessage().contains("3 trailing bytes") && e.getMessage().contains("need 76 bytes") && e.getMessage().contains("has 79"),
                e.getMessage());
        Path labels = dir.resolve("labels");
        Idx.writeLabels(labels, Tensor.of(new float[] {1, 2}, 2));
        TestFiles.append(labels, (byte) 0);
        assertTrue(assertThrows(MalformedDataException.class, () -> Idx.readLabels(labels)).getMessage().contains("1 trailing bytes"));
    }

    @Test
    void nonPositiveDimensionsAreRefused() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16).putInt(0x803).putInt(2).putInt(0).putInt(5);
        Path file = Files.write(dir.resolve("images"), header.array());
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(file));
        assertTrue(e.getMessage().contains("row count is 0, expected a positive number"), e.getMessage());
    }

    @Test
    void writingRoundsValuesAndRefusesNonBytes() throws IOException {
        Path file = dir.resolve("labels");
        Idx.writeLabels(file, Tensor.of(new float[] {254.6f, 0.4f, -0.3f}, 3));
        assertArrayEquals(new float[] {255, 0, 0}, Idx.readLabels(file).floats());
        for (float bad : new float[] {256f, -1f, Float.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Idx.writeLabels(dir.resolve("bad"), Tensor.of(new float[] {3, bad}, 2)));
            assertTrue(e.getMessage().contains("index 1") && e.getMessage().contains("expected 0..255"), e.getMessage());
        }
        assertTrue(Files.notExists(dir.resolve("bad")), "nothing written for refused values");
        assertThrows(IllegalArgumentException.class, () -> Idx.writeImages(dir.resolve("rgb"), Tensor.zeros(DType.F32, 2, 3, 4, 4)));
        assertEquals(0, Arrays.stream(dir.toFile().list()).filter(name -> name.contains(".tmp-")).count(), "temporary files left");
    }

    @Test
    void smallGzipWhoseHeaderAnnouncesGigabytesFailsBeforeDecompressing() throws IOException {
        // 2,700,000 images of 28×28: 2.1 GB of pixels announced by a file of a few kilobytes (zeros compress well).
        ByteBuffer header = ByteBuffer.allocate(16 + (1 << 20)).putInt(0x803).putInt(2_700_000).putInt(28).putInt(28);
        Path gz = Files.write(dir.resolve("train-images-idx3-ubyte.gz"), TestFiles.gzip(header.array()));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(gz));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("2700000 images of 28×28")
                && e.getMessage().contains("decompresses to at most"), e.getMessage());
        assertTrue(allocated < 4 << 20, allocated + " bytes allocated before refusing");
    }

    @Test
    void gzipThatCouldHoldWhatItsHeaderAnnouncesButNotInTheHeapFailsBeforeDecompressing() throws IOException {
        // Labels become floats, five bytes each while loading; images stay bytes, so only a heap smaller than one array
        // can be too small for an image file's header: labels are the reader a heap of a few GiB can be too small for.
        long heap = Runtime.getRuntime().maxMemory();
        org.junit.jupiter.api.Assumptions.assumeTrue(heap / 4 < Integer.MAX_VALUE - 8, "heap too large for a one-array label file to exceed it");
        int count = (int) (heap / 4);
        // Random bytes do not compress: the file is large enough to hold the announced labels as far as deflate goes.
        byte[] body = new byte[(int) (8 + count / 1000L)];
        new java.util.Random(1).nextBytes(body);
        ByteBuffer.wrap(body).putInt(0x801).putInt(count);
        Path gz = Files.write(dir.resolve("big.gz"), TestFiles.gzip(body));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readLabels(gz));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("big.gz") && e.getMessage().contains("MiB") && e.getMessage().contains("-Xmx"), e.getMessage());
        assertTrue(allocated < 4 << 20, allocated + " bytes allocated before refusing");
    }

    @Test
    void rawFileShorterThanItsHeaderAnnouncesIsRefusedBeforeReadingTheBody() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16 + 100).putInt(0x803).putInt(2_700_000).putInt(28).putInt(28);
        Path file = Files.write(dir.resolve("images"), header.array());
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(file));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("the file has 116"), e.getMessage());
    }

    @Test
    void imagesOfAnotherSizeThanExpectedAreRefusedByTheHeader() throws IOException {
        Path file = dir.resolve("images");
        Idx.writeImages(file, images());
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.readImages(file, 28, 28));
        assertTrue(e.getMessage().contains("expected 28×28"), e.getMessage());
    }
}
