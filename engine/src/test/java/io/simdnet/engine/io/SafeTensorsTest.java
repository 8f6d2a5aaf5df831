package io.simdnet.engine.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static Tensor randomF32(Random random, int... dims) {
        Tensor tensor = Tensor.zeros(DType.F32, dims);
        for (int i = 0; i < tensor.size(); i++) {
            tensor.floats()[i] = (float) random.nextGaussian();
        }
        return tensor;
    }

    private static Tensor randomF64(Random random, int... dims) {
        Tensor tensor = Tensor.zeros(DType.F64, dims);
        for (int i = 0; i < tensor.size(); i++) {
            tensor.doubles()[i] = random.nextGaussian();
        }
        return tensor;
    }

    /** Asserts same dtype, shape and bit-identical values over the shape's elements, and an exactly sized array. */
    private static void assertSameTensor(String name, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), name + " dtype");
        assertEquals(expected.shape(), actual.shape(), name + " shape");
        if (expected.dtype() == DType.F32) {
            assertEquals(expected.size(), actual.floats().length, name + " array length");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(Float.floatToRawIntBits(expected.floats()[i]), Float.floatToRawIntBits(actual.floats()[i]), name + "[" + i + "]");
            }
        } else {
            assertEquals(expected.size(), actual.doubles().length, name + " array length");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(Double.doubleToRawLongBits(expected.doubles()[i]), Double.doubleToRawLongBits(actual.doubles()[i]), name + "[" + i + "]");
            }
        }
    }

    private static void assertSameContents(Map<String, Tensor> expected, SafeTensorsContents actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.tensors().keySet()), "tensor names in order");
        expected.forEach((name, tensor) -> assertSameTensor(name, tensor, actual.tensors().get(name)));
    }

    /** Exactly what the reference writer produces: length prefix, header padded with spaces to 8 bytes, data. */
    private static byte[] safetensorsBytes(String headerJson, byte[] data) {
        byte[] json = headerJson.getBytes(UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer bytes = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            bytes.put((byte) ' ');
        }
        return bytes.put(data).array();
    }

    private static byte[] littleEndianFloats(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putFloat(value);
        }
        return bytes.array();
    }

    private Path fileWith(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** Reads {@code file}, expecting a rejection whose message names the file and contains every fragment. */
    private static CorruptCheckpointException assertRejected(Path file, String... fragments) {
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "message should name the file: " + e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message should contain '" + fragment + "': " + e.getMessage());
        }
        assertEquals(file, e.file());
        return e;
    }

    private List<String> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Random random = new Random(7);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("dense.kernel", randomF32(random, 784, 128));
        tensors.put("dense.bias", randomF32(random, 128));
        tensors.put("conv.weight", randomF64(random, 6, 1, 5, 5));
        tensors.put("scalar", Tensor.of(new float[] {Float.NaN}));
        tensors.put("special", Tensor.of(new double[] {-0.0, Double.POSITIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE}, 2, 2));
        // Backed by 10 floats of which the shape covers 6: only those 6 may reach the file.
        float[] longer = {1, 2, 3, 4, 5, 6, 99, 99, 99, 99};
        tensors.put("view", Tensor.of(longer, 2, 3));
        tensors.put("zeta first by name", randomF32(random, 3, 1, 2));
        Map<String, String> metadata = Map.of("format", "pt", "epoch", "12", "note", "ünïcödé ✓");
        Path file = dir.resolve("model.safetensors");

        SafeTensors.write(file, tensors, metadata);
        SafeTensorsContents contents = SafeTensors.read(file);

        assertSameContents(tensors, contents);
        assertEquals(metadata, contents.metadata());
        assertEquals(Shape.of(), contents.tensor("scalar").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, contents.tensor("view").floats());
    }

    @Test
    void tensorsLargerThanTheIoBufferRoundTripAcrossItsBoundaries() throws IOException {
        Random random = new Random(11);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        // An odd F32 count puts the following F64 tensor 4 bytes off the buffer's 8-byte grid.
        tensors.put("odd", randomF32(random, 3));
        tensors.put("big64", randomF64(random, 200_003));
        tensors.put("big32", randomF32(random, 300_001));
        tensors.put("tail", randomF64(random, 5));
        Path file = dir.resolve("big.safetensors");

        SafeTensors.write(file, tensors, null);

        assertEquals(8 + headerLength(file) + 4L * 3 + 8L * 200_003 + 4L * 300_001 + 8L * 5, Files.size(file));
        SafeTensorsContents contents = SafeTensors.read(file);
        assertSameContents(tensors, contents);
        assertEquals(Map.of(), contents.metadata());
    }

    private static long headerLength(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void headerIsValidSafetensorsLayout() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.of(new float[] {1.5f, -2f, 3f, 4f, 5f, 6f}, 2, 3));
        tensors.put("a", Tensor.of(new double[] {0.25, 7}, 2, 1));
        Path file = dir.resolve("layout.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt"));

        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong(0);
        assertEquals(0, headerLength % 8, "header length keeps the data 8-byte aligned");
        String header = new String(bytes, 8, (int) headerLength, UTF_8);
        String json = header.stripTrailing();
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), "padding is spaces only: '" + header + "'");
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);

        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(List.of("__metadata__", "b", "a"), List.copyOf(root.keySet()), "metadata first, then the caller's order");
        assertEquals("pt", root.getAsJsonObject("__metadata__").get("format").getAsString());
        JsonObject b = root.getAsJsonObject("b");
        assertEquals(List.of("dtype", "shape", "data_offsets"), List.copyOf(b.keySet()));
        assertEquals("F32", b.get("dtype").getAsString());
        assertEquals(jsonArray(2, 3), b.get("shape"));
        assertEquals(jsonArray(0, 24), b.get("data_offsets"));
        JsonObject a = root.getAsJsonObject("a");
        assertEquals("F64", a.get("dtype").getAsString());
        assertEquals(jsonArray(2, 1), a.get("shape"));
        assertEquals(jsonArray(24, 40), a.get("data_offsets"), "offsets run on from the previous tensor");

        assertEquals(8 + headerLength + 40, bytes.length, "no bytes after the last tensor");
        int data = 8 + (int) headerLength;
        assertEquals(1.5f, buffer.getFloat(data));
        assertEquals(-2f, buffer.getFloat(data + 4));
        assertEquals(0.25, buffer.getDouble(data + 24));
        assertEquals(7.0, buffer.getDouble(data + 32));
    }

    private static JsonArray jsonArray(long... values) {
        JsonArray array = new JsonArray();
        for (long value : values) {
            array.add(value);
        }
        return array;
    }

    @Test
    void readsFileWrittenByReferenceLayout() throws IOException {
        // What safetensors' save_file({"w": [1.5, -2.0] as float32}) writes: a 54-byte header padded to 56.
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] reference = safetensorsBytes(header, littleEndianFloats(1.5f, -2f));
        assertEquals(8 + 56 + 8, reference.length);
        Path file = fileWith("reference.safetensors", reference);

        SafeTensorsContents contents = SafeTensors.read(file);

        assertEquals(List.of("w"), List.copyOf(contents.tensors().keySet()));
        assertEquals(Shape.of(2), contents.tensor("w").shape());
        assertArrayEquals(new float[] {1.5f, -2f}, contents.tensor("w").floats());
        assertEquals(Map.of(), contents.metadata());
    }

    @Test
    void writerProducesTheReferenceBytes() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, Map.of("w", Tensor.of(new float[] {1.5f, -2f}, 2)), Map.of());
        assertArrayEquals(safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", littleEndianFloats(1.5f, -2f)),
                Files.readAllBytes(plain));

        Path withMetadata = dir.resolve("meta.safetensors");
        SafeTensors.write(withMetadata, Map.of("w", Tensor.of(new float[] {1.5f, -2f}, 2)), Map.of("format", "pt"));
        assertArrayEquals(safetensorsBytes("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                littleEndianFloats(1.5f, -2f)), Files.readAllBytes(withMetadata));
    }

    @Test
    void equalInputsGiveIdenticalBytesWhateverTheMetadataMapOrder() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("x", Tensor.of(new float[] {1, 2, 3}, 3));
        tensors.put("y", Tensor.of(new double[] {4}, 1));
        Map<String, String> forward = new LinkedHashMap<>();
        Map<String, String> backward = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            forward.put("key" + i, "value" + i);
            backward.put("key" + (19 - i), "value" + (19 - i));
        }
        Path first = dir.resolve("first.safetensors");
        Path second = dir.resolve("second.safetensors");
        SafeTensors.write(first, tensors, forward);
        SafeTensors.write(second, tensors, new HashMap<>(backward));
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void tensorsListedInAnyHeaderOrderComeBackInOffsetOrder() throws IOException {
        String header = "{\"late\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"early\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":{\"ignored\":[1,2]}}}";
        Path file = fileWith("order.safetensors", safetensorsBytes(header, littleEndianFloats(10f, 20f)));

        SafeTensorsContents contents = SafeTensors.read(file);

        assertEquals(List.of("early", "late"), List.copyOf(contents.tensors().keySet()));
        assertArrayEquals(new float[] {10f}, contents.tensor("early").floats());
        assertArrayEquals(new float[] {20f}, contents.tensor("late").floats());
    }

    @Test
    void writeCreatesParentDirectoriesAndReplacesAnExistingFile() throws IOException {
        Path file = dir.resolve("runs/7/checkpoint.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.of(new float[] {1}, 1)), Map.of("step", "1"));
        SafeTensors.write(file, Map.of("w", Tensor.of(new float[] {2, 3}, 2)), Map.of("step", "2"));

        SafeTensorsContents contents = SafeTensors.read(file);
        assertArrayEquals(new float[] {2, 3}, contents.tensor("w").floats());
        assertEquals(Map.of("step", "2"), contents.metadata());
        assertEquals(List.of("checkpoint.safetensors"), filesIn(file.getParent()), "no temporary file left");
    }

    @Test
    void emptyTensorMapRoundTrips() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafeTensors.write(file, Map.of(), Map.of("only", "metadata"));
        SafeTensorsContents contents = SafeTensors.read(file);
        assertEquals(Map.of(), contents.tensors());
        assertEquals(Map.of("only", "metadata"), contents.metadata());
    }

    @Test
    void missingTensorIsNamedWithTheOnesThereAre() throws IOException {
        Path file = dir.resolve("one.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.of(new float[] {1}, 1)), null);
        SafeTensorsContents contents = SafeTensors.read(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> contents.tensor("bias"));
        assertTrue(e.getMessage().contains("'bias'") && e.getMessage().contains("[w]"), e.getMessage());
    }

    @Test
    void truncatedFileIsRejectedWithClearMessage() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)), Map.of());
        long headerLength = headerLength(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 3);
        }
        assertRejected(file, "truncated", "expected 16 data bytes, file has 13", "'w'");

        // Cut inside the header: the length prefix promises more than there is.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(20);
        }
        assertRejected(file, "truncated", "header length says " + headerLength + " bytes, but only 12");
    }

    @Test
    void tooShortFileIsRejected() throws IOException {
        assertRejected(fileWith("short.safetensors", new byte[] {1, 0, 0, 0, 0}), "too short", "5 bytes");
        assertRejected(fileWith("empty.safetensors", new byte[0]), "too short", "0 bytes");
    }

    @Test
    void absurdHeaderLengthIsRejected() throws IOException {
        byte[] bytes = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        assertRejected(fileWith("huge.safetensors", bytes), "header length 1099511627776", "limit");
        byte[] negative = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array();
        assertRejected(fileWith("negative.safetensors", negative), "header length 18446744073709551615", "limit");
    }

    @Test
    void corruptedHeaderIsRejected() throws IOException {
        Path file = dir.resolve("garbled.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.of(new float[] {1, 2}, 2)), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        bytes[8] = '[';   // the header's opening brace
        Files.write(file, bytes);
        assertRejected(file, "not a JSON object");

        assertRejected(fileWith("unclosed.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]", new byte[0])),
                "not valid JSON");
        assertRejected(fileWith("trailing.safetensors", safetensorsBytes("{} {}", new byte[0])), "not valid JSON");
        assertRejected(fileWith("single-quotes.safetensors", safetensorsBytes("{'w':{}}", new byte[0])), "not valid JSON");

        byte[] notUtf8 = safetensorsBytes("{\"w\":1}", new byte[0]);
        notUtf8[10] = (byte) 0xFF;
        assertRejected(fileWith("latin.safetensors", notUtf8), "not valid UTF-8");

        assertRejected(fileWith("twice.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8])), "tensor 'w' appears twice");
        assertRejected(fileWith("meta.safetensors", safetensorsBytes("{\"__metadata__\":{\"epoch\":3}}", new byte[0])),
                "__metadata__ entry 'epoch' must be a string, got a number");
        assertRejected(fileWith("meta-list.safetensors", safetensorsBytes("{\"__metadata__\":[\"a\"]}", new byte[0])),
                "__metadata__ must be an object");
    }

    @Test
    void entryMissingAFieldOrWithMistypedFieldsIsRejected() throws IOException {
        assertRejected(fileWith("no-offsets.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4])),
                "tensor 'w'", "no data_offsets");
        assertRejected(fileWith("no-dtype.safetensors", safetensorsBytes("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])),
                "tensor 'w'", "no dtype");
        assertRejected(fileWith("no-shape.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4])),
                "tensor 'w'", "no shape");
        assertRejected(fileWith("not-object.safetensors", safetensorsBytes("{\"w\":[1,2]}", new byte[0])),
                "tensor 'w'", "expected an object", "got an array");
        assertRejected(fileWith("float-dim.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", new byte[4])),
                "tensor 'w'", "shape holds 1.0, not an integer");
        assertRejected(fileWith("string-dim.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", new byte[4])),
                "tensor 'w'", "shape must hold integers, got a string");
        assertRejected(fileWith("three-offsets.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", new byte[4])),
                "tensor 'w'", "data_offsets must be [begin, end], got [0, 4, 8]");
    }

    @Test
    void unsupportedDtypeIsRejectedNamingIt() throws IOException {
        Path file = fileWith("bf16.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]));
        assertRejected(file, "tensor 'w'", "dtype BF16", "only [F32, F64]");
    }

    @Test
    void nonPositiveOrOverflowingShapeIsRejected() throws IOException {
        assertRejected(fileWith("zero.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[0,0]}}", new byte[0])),
                "tensor 'w'", "shape [2, 0]", "dimension 1 is 0", "positive");
        assertRejected(fileWith("negative.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8])),
                "tensor 'w'", "dimension 0 is -2");
        assertRejected(fileWith("overflow.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", new byte[4])),
                "tensor 'w'", "shape [65536, 65536]", "more than the 2147483647 elements");
        assertRejected(fileWith("huge-dim.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", new byte[4])),
                "tensor 'w'", "too large");
    }

    @Test
    void reversedOffsetsAreRejected() throws IOException {
        assertRejected(fileWith("reversed.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", new byte[8])),
                "tensor 'w'", "data_offsets [8, 0]", "begin <= end");
    }

    @Test
    void lengthMismatchIsRejected() throws IOException {
        Path file = fileWith("mismatch.safetensors", safetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertRejected(file, "tensor 'w'", "needs 12 bytes", "data_offsets [0, 8] span 8");
    }

    @Test
    void overlappingOffsetsAreRejected() throws IOException {
        Path file = fileWith("overlap.safetensors", safetensorsBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]));
        assertRejected(file, "'a' (data_offsets [0, 8])", "'b' (data_offsets [4, 12])", "overlap");
    }

    @Test
    void gapsBetweenTensorsAreRejected() throws IOException {
        assertRejected(fileWith("gap.safetensors", safetensorsBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", new byte[20])), "gap of 4 bytes", "'a'", "'b'");
        assertRejected(fileWith("leading.safetensors", safetensorsBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8])),
                "gap of 4 bytes", "before the first tensor 'a'");
    }

    @Test
    void trailingBytesAfterTheLastTensorAreRejected() throws IOException {
        Path file = dir.resolve("trailing.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.of(new float[] {1, 2}, 2)), Map.of());
        Files.write(file, new byte[] {0, 0, 0, 0}, StandardOpenOption.APPEND);
        assertRejected(file, "4 trailing bytes", "data section has 12 bytes", "'w' ends at 8");

        assertRejected(fileWith("no-tensors.safetensors", safetensorsBytes("{}", new byte[3])), "3 trailing bytes", "lists no tensor");
    }

    @Test
    void failedWriteLeavesExistingFileUntouched() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Map<String, Tensor> original = Map.of("w", Tensor.of(new float[] {1, 2, 3}, 3));
        SafeTensors.write(file, original, Map.of("step", "1"));
        byte[] before = Files.readAllBytes(file);

        // A map whose iteration breaks after its first entry, as a concurrently modified map would.
        Map<String, Tensor> failing = new AbstractMap<>() {
            @Override
            public Set<Map.Entry<String, Tensor>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, Tensor>> iterator() {
                        Iterator<Map.Entry<String, Tensor>> first = List.of(Map.entry("a", Tensor.of(new float[] {9}, 1))).iterator();
                        return new Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                return true;
                            }

                            @Override
                            public Map.Entry<String, Tensor> next() {
                                if (first.hasNext()) {
                                    return first.next();
                                }
                                throw new IllegalStateException("map changed while saving");
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return 2;
                    }
                };
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, failing, Map.of("step", "2")));
        assertEquals("map changed while saving", e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file));
        SafeTensorsContents contents = SafeTensors.read(file);
        assertSameContents(original, contents);
        assertEquals(Map.of("step", "1"), contents.metadata());
        assertEquals(List.of("model.safetensors"), filesIn(dir), "no temporary file left");
    }

    @Test
    void failedRenameRemovesTheTemporaryFile() throws IOException {
        // A non-empty directory where the file should go: everything is written, then the rename fails.
        Path target = dir.resolve("model.safetensors");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep.txt"), "kept");

        assertThrows(IOException.class, () -> SafeTensors.write(target, Map.of("w", Tensor.of(new float[] {1}, 1)), Map.of()));

        assertEquals(List.of("model.safetensors"), filesIn(dir), "no temporary file left");
        assertEquals("kept", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void reservedOrNullNamesAreRefusedBeforeAnythingIsWritten() {
        Path file = dir.resolve("bad.safetensors");
        Tensor one = Tensor.of(new float[] {1}, 1);
        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(file, Map.of("__metadata__", one), Map.of()));
        assertTrue(reserved.getMessage().contains("__metadata__"), reserved.getMessage());
        Map<String, Tensor> nullTensor = new HashMap<>();
        nullTensor.put("w", null);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, nullTensor, Map.of()));
        assertTrue(missing.getMessage().contains("'w'"), missing.getMessage());
        assertTrue(Files.notExists(file));
    }

    @Test
    void aFolderWhereAFileIsExpectedIsNamed(@org.junit.jupiter.api.io.TempDir Path folder) {
        IOException read = assertThrows(IOException.class, () -> SafeTensors.read(folder));
        assertTrue(read.getMessage().contains(folder + ": is a folder"), read.getMessage());
        IOException write = assertThrows(IOException.class, () -> SafeTensors.write(folder, java.util.Map.of(), null));
        assertTrue(write.getMessage().contains(folder + ": is a folder"), write.getMessage());
    }
}
