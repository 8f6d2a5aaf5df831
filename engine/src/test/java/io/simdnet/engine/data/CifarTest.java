package io.simdnet.engine.data;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarTest {

    @TempDir
    Path dir;

    /** The byte the test puts at record {@code n}, channel {@code c}, row {@code y}, column {@code x}. */
    private static int pixel(int n, int c, int y, int x) {
        return (n * 101 + c * 67 + y * 7 + x * 3) % 256;
    }

    /** Records as the official files lay them out: label byte(s), then the R, G and B planes, each row-major. */
    private static byte[] records(int[][] labels) {
        int labelBytes = labels[0].length;
        int record = labelBytes + 3072;
        byte[] bytes = new byte[labels.length * record];
        for (int n = 0; n < labels.length; n++) {
            for (int l = 0; l < labelBytes; l++) {
                bytes[n * record + l] = (byte) labels[n][l];
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        bytes[n * record + labelBytes + c * 1024 + y * 32 + x] = (byte) pixel(n, c, y, x);
                    }
                }
            }
        }
        return bytes;
    }

    private static void assertPixels(Uint8Images images, int firstRecord) {
        for (int n = 0; n < images.batch(); n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        assertEquals(pixel(firstRecord + n, c, y, x), images.get(((n * 3 + c) * 32 + y) * 32 + x), 0,
                                "image " + n + " at (" + c + ", " + y + ", " + x + ")");
                    }
                }
            }
        }
    }

    @Test
    void cifar10RecordLandsInNchwWithTheRedPlaneFirst() throws IOException {
        Path file = Files.write(dir.resolve("data_batch_1.bin"), records(new int[][] {{3}, {9}}));
        Cifar.Batch batch = Cifar.read(file, Cifar.Format.CIFAR10);
        assertEquals(Shape.of(2, 3, 32, 32), batch.images().shape());
        assertArrayEquals(new float[] {3, 9}, batch.labels().floats());
        assertNull(batch.coarseLabels());
        assertPixels(batch.images(), 0);
        // Red (plane 0) of row 0, column 1 is byte 1 + 1 of the first record; blue of row 31, column 31 is its last.
        assertEquals(pixel(0, 0, 0, 1), batch.images().get(1), 0);
        assertEquals(pixel(1, 2, 31, 31), batch.images().get(2 * 3072 - 1), 0);
    }

    @Test
    void cifar10WriteReadRoundTripRawAndGzipped() throws IOException {
        Path source = Files.write(dir.resolve("source.bin"), records(new int[][] {{0}, {5}, {9}}));
        Cifar.Batch batch = Cifar.read(source, Cifar.Format.CIFAR10);
        Path written = dir.resolve("written.bin");
        Cifar.write(written, batch, Cifar.Format.CIFAR10);
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(written), "written bytes equal the official layout");
        Path gz = TestFiles.gzipFile(written, dir.resolve("written.bin.gz"));
        Cifar.Batch again = Cifar.read(gz, Cifar.Format.CIFAR10);
        assertArrayEquals(batch.images().pixels(), again.images().pixels());
        assertArrayEquals(batch.labels().floats(), again.labels().floats());
    }

    @Test
    void cifar100RecordsHaveCoarseThenFineLabel() throws IOException {
        Path file = Files.write(dir.resolve("train.bin"), records(new int[][] {{4, 72}, {19, 99}, {0, 0}}));
        Cifar.Batch batch = Cifar.read(file, Cifar.Format.CIFAR100);
        assertArrayEquals(new float[] {72, 99, 0}, batch.labels().floats(), "fine labels");
        assertArrayEquals(new float[] {4, 19, 0}, batch.coarseLabels().floats(), "coarse labels");
        assertPixels(batch.images(), 0);
        Path written = dir.resolve("written.bin");
        Cifar.write(written, batch, Cifar.Format.CIFAR100);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(written));
    }

    @Test
    void readAllConcatenatesInOrder() throws IOException {
        byte[] all = records(new int[][] {{1}, {2}, {3}});
        Path first = Files.write(dir.resolve("data_batch_1.bin"), Arrays.copyOfRange(all, 0, 2 * 3073));
        Path second = Files.write(dir.resolve("data_batch_2.bin"), TestFiles.gzip(Arrays.copyOfRange(all, 2 * 3073, 3 * 3073)));
        Cifar.Batch batch = Cifar.readAll(List.of(first, second), Cifar.Format.CIFAR10);
        assertArrayEquals(new float[] {1, 2, 3}, batch.labels().floats());
        assertPixels(batch.images(), 0);
        assertEquals(3, batch.toDataset().size());
    }

    @Test
    void partialRecordIsTruncated() throws IOException {
        byte[] bytes = records(new int[][] {{1}, {2}});
        Path file = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(bytes, bytes.length - 5));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Cifar.read(file, Cifar.Format.CIFAR10));
        assertTrue(e.getMessage().startsWith(file + ": truncated: 6141 bytes is not a whole number of 3073-byte records"), e.getMessage());
        // Read as CIFAR-100, the same 2·3073 bytes are not whole 3074-byte records either.
        Path whole = Files.write(dir.resolve("whole.bin"), bytes);
        MalformedDataException wrongFormat = assertThrows(MalformedDataException.class, () -> Cifar.read(whole, Cifar.Format.CIFAR100));
        assertTrue(wrongFormat.getMessage().contains("6146 bytes is not a whole number of 3074-byte records"), wrongFormat.getMessage());
    }

    @Test
    void labelOutOfRangeNamesTheRecord() throws IOException {
        Path ten = Files.write(dir.resolve("ten.bin"), records(new int[][] {{1}, {10}}));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Cifar.read(ten, Cifar.Format.CIFAR10));
        assertTrue(e.getMessage().contains("record 1: label 10, expected 0..9"), e.getMessage());
        Path coarse = Files.write(dir.resolve("coarse.bin"), records(new int[][] {{20, 5}}));
        e = assertThrows(MalformedDataException.class, () -> Cifar.read(coarse, Cifar.Format.CIFAR100));
        assertTrue(e.getMessage().contains("record 0: coarse label 20, expected 0..19"), e.getMessage());
        Path fine = Files.write(dir.resolve("fine.bin"), records(new int[][] {{2, 5}, {3, 100}}));
        e = assertThrows(MalformedDataException.class, () -> Cifar.read(fine, Cifar.Format.CIFAR100));
        assertTrue(e.getMessage().contains("record 1: fine label 100, expected 0..99"), e.getMessage());
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path file = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertTrue(assertThrows(MalformedDataException.class, () -> Cifar.read(file, Cifar.Format.CIFAR10)).getMessage().contains("empty"));
    }

    @Test
    void writeChecksTheFormatsLabels() throws IOException {
        Cifar.Batch batch = Cifar.read(Files.write(dir.resolve("a.bin"), records(new int[][] {{1, 2}})), Cifar.Format.CIFAR100);
        assertThrows(IllegalArgumentException.class, () -> Cifar.write(dir.resolve("b.bin"), batch, Cifar.Format.CIFAR10));
        Cifar.Batch noCoarse = new Cifar.Batch(batch.images(), Tensor.of(new float[] {12}, 1), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cifar.write(dir.resolve("c.bin"), noCoarse,
                Cifar.Format.CIFAR10));
        assertTrue(e.getMessage().contains("label of image 0 is 12.0, expected 0..9"), e.getMessage());
    }

    @Test
    void labelNamesAreTheNonEmptyLinesStripped() throws IOException {
        Path names = Files.writeString(dir.resolve("batches.meta.txt"), "airplane\nautomobile\r\n\n  bird \n\n", UTF_8);
        assertEquals(List.of("airplane", "automobile", "bird"), Cifar.labelNames(names));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n \n", UTF_8);
        assertThrows(MalformedDataException.class, () -> Cifar.labelNames(empty));
    }
}
