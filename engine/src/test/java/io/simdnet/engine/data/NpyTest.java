package io.simdnet.engine.data;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    /**
     * A .npy file as numpy writes it: magic, version, header length, then the dict padded with spaces and ending in a
     * newline so that magic, version, length and header together are a multiple of 64 bytes, then the data.
     */
    private static byte[] npy(int major, String dict, byte[] data) {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = 6 + 2 + lengthBytes + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer bytes = ByteBuffer.allocate(6 + 2 + lengthBytes + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put((byte) 0x93).put("NUMPY".getBytes(US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            bytes.putShort((short) header.length());
        } else {
            bytes.putInt(header.length());
        }
        bytes.put(header.getBytes(US_ASCII)).put(data);
        assertEquals(0, (bytes.capacity() - data.length) % 64, "header padded to 64 bytes");
        return bytes.array();
    }

    private static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }

    private static ByteBuffer data(int bytes, ByteOrder order) {
        return ByteBuffer.allocate(bytes).order(order);
    }

    private Path file(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("array.npy"), bytes);
    }

    @Test
    void readsUint8AsFloats() throws IOException {
        Tensor t = Npy.read(file(npy(1, dict("|u1", "(2, 3)"), new byte[] {0, 1, 2, (byte) 128, (byte) 254, (byte) 255})));
        assertEquals(DType.F32, t.dtype());
        assertEquals(Shape.of(2, 3), t.shape());
        assertArrayEquals(new float[] {0, 1, 2, 128, 254, 255}, t.floats());
    }

    @Test
    void readsFloat32InBothByteOrders() throws IOException {
        float[] values = {1.5f, -2.25f, 3e-7f, Float.MAX_VALUE, -0f, 42f};
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer data = data(24, order);
            data.asFloatBuffer().put(values);
            String descr = (order == ByteOrder.LITTLE_ENDIAN ? "<" : ">") + "f4";
            Tensor t = Npy.read(file(npy(1, dict(descr, "(2, 3)"), data.array())));
            assertEquals(DType.F32, t.dtype(), descr);
            assertEquals(Shape.of(2, 3), t.shape(), descr);
            assertArrayEquals(values, t.floats(), descr);
        }
    }

    @Test
    void readsFloat64InBothByteOrders() throws IOException {
        double[] values = {Math.PI, -1e300, 0.1};
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer data = data(24, order);
            data.asDoubleBuffer().put(values);
            String descr = (order == ByteOrder.LITTLE_ENDIAN ? "<" : ">") + "f8";
            Tensor t = Npy.read(file(npy(1, dict(descr, "(3,)"), data.array())));
            assertEquals(DType.F64, t.dtype(), descr);
            assertEquals(Shape.of(3), t.shape(), descr);
            assertArrayEquals(values, t.doubles(), descr);
        }
    }

    @Test
    void readsInt64AsDoublesInBothByteOrders() throws IOException {
        long[] values = {-3, 0, 1L << 53, -(1L << 53)};
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer data = data(32, order);
            data.asLongBuffer().put(values);
            String descr = (order == ByteOrder.LITTLE_ENDIAN ? "<" : ">") + "i8";
            Tensor t = Npy.read(file(npy(1, dict(descr, "(4, 1)"), data.array())));
            assertEquals(DType.F64, t.dtype(), descr);
            assertEquals(Shape.of(4, 1), t.shape(), descr);
            assertArrayEquals(new double[] {-3, 0, 9007199254740992.0, -9007199254740992.0}, t.doubles(), descr);
        }
    }

    @Test
    void int64BeyondTwoToThe53IsRefused() throws IOException {
        ByteBuffer data = data(16, ByteOrder.LITTLE_ENDIAN);
        data.asLongBuffer().put(new long[] {7, (1L << 53) + 1});
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Npy.read(file(npy(1, dict("<i8", "(2,)"), data.array()))));
        assertTrue(e.getMessage().contains("9007199254740993 at index 1") && e.getMessage().contains("2^53"), e.getMessage());
    }

    @Test
    void readsFormatVersionsTwoAndThree() throws IOException {
        ByteBuffer data = data(8, ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(new float[] {1, 2});
        for (int major : new int[] {2, 3}) {
            Tensor t = Npy.read(file(npy(major, dict("<f4", "(2,)"), data.array())));
            assertArrayEquals(new float[] {1, 2}, t.floats(), "version " + major);
        }
    }

    @Test
    void fortranOrderIsRefused() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Npy.read(file(npy(1, dict, new byte[24]))));
        assertTrue(e.getMessage().contains("fortran_order is True") && e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    void truncatedAndOverlongDataAreRefused() throws IOException {
        MalformedDataException cut = assertThrows(MalformedDataException.class, () -> Npy.read(file(npy(1, dict("<f4", "(2, 3)"), new byte[20]))));
        assertTrue(cut.getMessage().contains("truncated: shape (2, 3) of '<f4' needs 24 data bytes, the file has 20"), cut.getMessage());
        MalformedDataException longer = assertThrows(MalformedDataException.class,
                () -> Npy.read(file(npy(1, dict("<f4", "(2, 3)"), new byte[28]))));
        assertTrue(longer.getMessage().contains("4 trailing bytes"), longer.getMessage());
        byte[] whole = npy(1, dict("<f4", "(2, 3)"), new byte[24]);
        MalformedDataException inHeader = assertThrows(MalformedDataException.class, () -> Npy.read(file(Arrays.copyOf(whole, 40))));
        assertTrue(inHeader.getMessage().contains("truncated: the header length says 118 bytes"), inHeader.getMessage());
    }

    @Test
    void headerIsParsedStrictly() throws IOException {
        String[][] cases = {
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "0-d scalar"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", "is empty"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", "dtype '<i4' is not supported"},
            {"{'descr': '<f4', 'shape': (2,), }", "lacks 'fortran_order'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", "unexpected key 'extra'"},
            {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "'descr' appears twice"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "trailing comma"},
            {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", "expected True or False"},
            {"{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", "unexpected text after"},
        };
        for (String[] c : cases) {
            MalformedDataException e = assertThrows(MalformedDataException.class, () -> Npy.read(file(npy(1, c[0], new byte[8]))), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        byte[] notNpy = "PK\u0003\u0004 a zip file".getBytes(US_ASCII);
        assertTrue(assertThrows(MalformedDataException.class, () -> Npy.read(file(notNpy))).getMessage().contains("magic"));
    }

    @Test
    void writeProducesExactlyNumpysHeaderAndReadsBack() throws IOException {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Path file = dir.resolve("out.npy");
        Npy.write(file, t);
        byte[] bytes = Files.readAllBytes(file);
        // numpy 2's np.save of a float32 (2, 3) array: 59 characters of dict, 58 spaces, a newline; data at byte 128.
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";
        assertEquals(128 + 24, bytes.length);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(bytes, 10));
        assertEquals(header, new String(bytes, 10, 118, US_ASCII));
        assertEquals(1f, ByteBuffer.wrap(bytes, 128, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        Tensor read = Npy.read(file);
        assertEquals(t.shape(), read.shape());
        assertArrayEquals(t.floats(), read.floats());
    }

    @Test
    void writeInt64GivesLabelsAsNumpySavesThemAndRefusesFractions() throws IOException {
        Path file = dir.resolve("labels.npy");
        Npy.writeInt64(file, Tensor.of(new float[] {0, 5, -2, 3}, 2, 2));
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(new String(bytes, 10, 60, US_ASCII).startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }"));
        assertEquals(-2L, ByteBuffer.wrap(bytes, 128 + 16, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertArrayEquals(new double[] {0, 5, -2, 3}, Npy.read(file).toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.writeInt64(dir.resolve("bad.npy"), Tensor.of(new float[] {1, 2.5f}, 2)));
        assertTrue(e.getMessage().contains("element 1 is 2.5"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("bad.npy")));
    }

    @Test
    void writeRoundTripsDoublesAndReplacesTheFileWithoutLeavingTemporaries() throws IOException {
        Path file = dir.resolve("out.npy");
        Npy.write(file, Tensor.of(new float[] {9}, 1));
        double[] values = new double[3 * 4 * 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.sin(i) * 1e10;
        }
        Npy.write(file, Tensor.of(values, 3, 4, 5));
        Tensor read = Npy.read(file);
        assertEquals(DType.F64, read.dtype());
        assertEquals(Shape.of(3, 4, 5), read.shape());
        assertArrayEquals(values, read.doubles());
        assertEquals(0, (Files.size(file) - values.length * 8L) % 64, "data starts at a multiple of 64 bytes");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only out.npy in the directory");
        }
    }

    @Test
    void writeCoversOnlyTheShapeOfALongerArray() throws IOException {
        Tensor view = Tensor.of(new float[] {1, 2, 3, 4, 5}, 5).view(Shape.of(2));
        Path file = dir.resolve("view.npy");
        Npy.write(file, view);
        assertArrayEquals(new float[] {1, 2}, Npy.read(file).floats());
    }
}
