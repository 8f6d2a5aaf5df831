package io.simdnet.engine.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple of 8), then the raw
 * little-endian tensor bytes. The header maps each tensor name to its {@code dtype}, {@code shape} and
 * {@code data_offsets} (relative to the first data byte) and may hold a {@code __metadata__} map of strings.
 *
 * <p>{@link #write} keeps the caller's tensor order, lays the tensors out back to back from offset 0, and replaces the
 * target only once the new file is complete on disk. {@link #read} accepts tensors in any order and refuses anything
 * the reference reader would refuse, plus dtypes other than F32 and F64, with a {@link CorruptCheckpointException}.
 */
public final class SafeTensors {

    /** The reference implementation refuses larger headers; checking first keeps a garbage length from allocating. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";

    /** I/O buffer size: a multiple of every element size, so no element is ever split across two reads. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** JSON integers only: the reference reader refuses {@code 2.0} or {@code 1e3} as a dimension or an offset. */
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    private SafeTensors() {
    }

    private record Named(String name, Tensor tensor) {
    }

    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {

        String offsets() {
            return "[" + begin + ", " + end + "]";
        }
    }

    private record Header(List<Entry> entries, Map<String, String> metadata) {
    }

    // ---------------------------------------------------------------------------------------------------- writing

    /**
     * Writes {@code tensors} (in their iteration order) and {@code metadata} (may be null or empty; written sorted by
     * key, so equal maps give equal bytes) to {@code file}, creating its parent directories. The bytes go to a
     * temporary file beside it, are forced to disk, then renamed over {@code file}: an interrupted or failed save
     * leaves any existing file as it was and no temporary file behind.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        // One pass over the caller's maps, before any file exists: header and data then come from the same snapshot,
        // and a map that fails while iterated costs nothing on disk.
        List<Named> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            String name = entry.getKey();
            if (name == null) {
                throw new IllegalArgumentException(file + ": a tensor name is null");
            }
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException(file + ": no tensor may be called " + METADATA_KEY + ", the header reserves that key");
            }
            if (entry.getValue() == null) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' is null");
            }
            entries.add(new Named(name, entry.getValue()));
        }
        Map<String, String> sortedMetadata = new TreeMap<>();
        if (metadata != null) {
            for (Map.Entry<String, String> entry : metadata.entrySet()) {
                if (entry.getKey() == null || entry.getValue() == null) {
                    throw new IllegalArgumentException(file + ": metadata entry " + entry.getKey() + " = " + entry.getValue() + " has a null key or value");
                }
                sortedMetadata.put(entry.getKey(), entry.getValue());
            }
        }
        byte[] header = header(file, entries, sortedMetadata);

        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        if (Files.isDirectory(target)) {
            throw new IOException(file + ": is a folder, expected a file to write");
        }
        Files.createDirectories(directory);
        Path temporary = null;
        try {
            temporary = AtomicFiles.createTemporary(target);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                writeContents(channel, header, entries);
                // Without this the rename can reach the disk before the data, and a crash leaves an empty file under
                // the final name.
                channel.force(true);
            }
            AtomicFiles.moveIntoPlace(temporary, target);
            temporary = null;
        } catch (Throwable failure) {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException cleanup) {
                    failure.addSuppressed(cleanup);
                }
            }
            if (failure instanceof IOException io && (io.getMessage() == null || !io.getMessage().contains(target.getFileName().toString()))) {
                // "No space left on device" alone does not say which file was lost.
                throw new IOException(file + ": could not write (" + (io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage())
                        + "); any earlier version of the file is unchanged", io);
            }
            throw failure;
        }
        syncDirectory(directory);
    }

    /** Creates an empty file with a fresh name beside {@code target}, with the permissions a plain new file gets. */
    /** The padded JSON header, laid out and escaped as the reference writer does: compact, metadata first. */
    private static byte[] header(Path file, List<Named> entries, Map<String, String> metadata) {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.beginObject();
            if (!metadata.isEmpty()) {
                json.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> entry : metadata.entrySet()) {
                    json.name(entry.getKey()).value(entry.getValue());
                }
                json.endObject();
            }
            long offset = 0;
            for (Named entry : entries) {
                Tensor tensor = entry.tensor();
                long length = (long) tensor.size() * tensor.dtype().bytes();
                json.name(entry.name()).beginObject();
                json.name("dtype").value(tensor.dtype().safetensorsName());
                json.name("shape").beginArray();
                for (int dim : tensor.shape().toArray()) {
                    json.value(dim);
                }
                json.endArray();
                json.name("data_offsets").beginArray().value(offset).value(offset + length).endArray();
                json.endObject();
                offset += length;
            }
            json.endObject();
        } catch (IOException impossible) {
            throw new UncheckedIOException("Writing JSON into a StringWriter failed", impossible);
        }
        ByteBuffer utf8;
        try {
            // Strict encoding: the lenient String.getBytes would turn a lone surrogate in a name into '?' silently.
            utf8 = UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text.toString()));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": a tensor name or metadata entry is not valid Unicode (a lone surrogate?)", e);
        }
        int length = utf8.remaining();
        // Padding to 8 keeps the data section 8-aligned, so readers can map F64 tensors in place.
        int padded = (length + 7) & ~7;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(file + ": the header would take " + padded + " bytes, more than the " + MAX_HEADER_BYTES
                    + " readers accept (" + entries.size() + " tensors)");
        }
        byte[] header = new byte[padded];
        utf8.get(header, 0, length);
        Arrays.fill(header, length, padded, (byte) ' ');
        return header;
    }

    private static void writeContents(FileChannel channel, byte[] header, List<Named> entries) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
        writeFully(channel, prefix);
        writeFully(channel, ByteBuffer.wrap(header));
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Named entry : entries) {
            Tensor tensor = entry.tensor();
            int size = tensor.size();
            int bytes = tensor.dtype().bytes();
            int done = 0;
            while (done < size) {
                int count = Math.min(size - done, chunk.remaining() / bytes);
                if (count == 0) {
                    chunk.flip();
                    writeFully(channel, chunk);
                    chunk.clear();
                    continue;
                }
                // Bulk puts through a little-endian view: a plain copy on little-endian hardware.
                switch (tensor.dtype()) {
                    case F32 -> chunk.asFloatBuffer().put(tensor.floats(), done, count);
                    case F64 -> chunk.asDoubleBuffer().put(tensor.doubles(), done, count);
                }
                chunk.position(chunk.position() + count * bytes);
                done += count;
            }
        }
        chunk.flip();
        writeFully(channel, chunk);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The rename is durable only once the directory itself is on disk. Best effort: Windows cannot open a directory. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // The file is complete and in place; only its survival of a power cut right now is less certain.
        }
    }

    // ---------------------------------------------------------------------------------------------------- reading

    /**
     * Reads every tensor and the metadata of {@code file}. Tensors come in the order of their data offsets, each in
     * its own array of exactly the size its shape needs.
     *
     * @throws CorruptCheckpointException when the file is not a well-formed safetensors file or holds a dtype other
     *                                    than F32 or F64; the message names the file, the tensor and the fault
     * @throws IOException                when the file cannot be read at all
     */
    public static SafeTensorsContents read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a folder, expected a safetensors file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new CorruptCheckpointException(file, "too short: " + fileSize + " bytes, but a safetensors file starts with an 8-byte header length");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, channel, prefix, 0);
            long headerLength = prefix.getLong(0);
            // Negative as a long means above 2^63 as the unsigned length it is.
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new CorruptCheckpointException(file, "header length " + Long.toUnsignedString(headerLength) + " is over the limit of "
                        + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
            }
            if (headerLength > fileSize - 8) {
                throw new CorruptCheckpointException(file, "truncated: the header length says " + headerLength + " bytes, but only "
                        + (fileSize - 8) + " follow the length prefix");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(file, channel, headerBytes, 8);
            headerBytes.flip();
            Header header = parseHeader(file, decode(file, headerBytes));
            long dataStart = 8 + headerLength;
            List<Entry> ordered = checkLayout(file, header.entries(), fileSize - dataStart);

            // Arrays are allocated only now that the layout check has shown the file holds their bytes, so a
            // header claiming huge tensors cannot make a small file allocate gigabytes.
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry entry : ordered) {
                tensors.put(entry.name(), readTensor(file, channel, chunk, dataStart, entry));
            }
            return new SafeTensorsContents(tensors, header.metadata());
        }
    }

    private static Tensor readTensor(Path file, FileChannel channel, ByteBuffer chunk, long dataStart, Entry entry) throws IOException {
        int size = Math.toIntExact((entry.end() - entry.begin()) / entry.dtype().bytes());
        Tensor tensor = switch (entry.dtype()) {
            case F32 -> Tensor.of(new float[size], entry.shape());
            case F64 -> Tensor.of(new double[size], entry.shape());
        };
        int bytes = entry.dtype().bytes();
        long position = dataStart + entry.begin();
        int done = 0;
        while (done < size) {
            int count = Math.min(size - done, chunk.capacity() / bytes);
            chunk.clear().limit(count * bytes);
            readFully(file, channel, chunk, position);
            chunk.flip();
            switch (entry.dtype()) {
                case F32 -> chunk.asFloatBuffer().get(tensor.floats(), done, count);
                case F64 -> chunk.asDoubleBuffer().get(tensor.doubles(), done, count);
            }
            position += (long) count * bytes;
            done += count;
        }
        return tensor;
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                // Only when the file shrinks while being read: its size was checked against the header before.
                throw new CorruptCheckpointException(file, "truncated: the file ended at byte " + at + " while reading");
            }
            at += read;
        }
    }

    private static String decode(Path file, ByteBuffer bytes) throws CorruptCheckpointException {
        try {
            return UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptCheckpointException(file, "the header is not valid UTF-8", e);
        }
    }

    private static Header parseHeader(Path file, String text) throws CorruptCheckpointException {
        // Streaming rather than a tree: a tree keeps the last of two equal keys silently, and a duplicated tensor
        // name must be an error.
        JsonReader json = new JsonReader(new StringReader(text));
        json.setStrictness(Strictness.STRICT);
        try {
            if (json.peek() != JsonToken.BEGIN_OBJECT) {
                throw new CorruptCheckpointException(file, "the header is not a JSON object but " + describe(json.peek()));
            }
            json.beginObject();
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = null;
            while (json.hasNext()) {
                String key = json.nextName();
                if (key.equals(METADATA_KEY)) {
                    if (metadata != null) {
                        throw new CorruptCheckpointException(file, METADATA_KEY + " appears twice in the header");
                    }
                    metadata = readMetadata(file, json);
                } else {
                    if (entries.containsKey(key)) {
                        throw new CorruptCheckpointException(file, "tensor '" + key + "' appears twice in the header");
                    }
                    entries.put(key, readEntry(file, json, key));
                }
            }
            json.endObject();
            // Strict mode makes anything but whitespace (the padding) after the object fail here.
            json.peek();
            return new Header(List.copyOf(entries.values()), metadata == null ? Map.of() : metadata);
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new CorruptCheckpointException(file, "the header is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> readMetadata(Path file, JsonReader json) throws IOException {
        if (json.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CorruptCheckpointException(file, METADATA_KEY + " must be an object of strings, got " + describe(json.peek()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        json.beginObject();
        while (json.hasNext()) {
            String key = json.nextName();
            if (json.peek() != JsonToken.STRING) {
                throw new CorruptCheckpointException(file, METADATA_KEY + " entry '" + key + "' must be a string, got " + describe(json.peek()));
            }
            if (metadata.put(key, json.nextString()) != null) {
                throw new CorruptCheckpointException(file, METADATA_KEY + " entry '" + key + "' appears twice");
            }
        }
        json.endObject();
        return metadata;
    }

    private static Entry readEntry(Path file, JsonReader json, String name) throws IOException {
        if (json.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CorruptCheckpointException(file, "tensor '" + name + "': expected an object with dtype, shape and data_offsets, got "
                    + describe(json.peek()));
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> seen = new HashSet<>();
        json.beginObject();
        while (json.hasNext()) {
            String key = json.nextName();
            if (!seen.add(key)) {
                throw new CorruptCheckpointException(file, "tensor '" + name + "': key " + key + " appears twice");
            }
            switch (key) {
                case "dtype" -> {
                    if (json.peek() != JsonToken.STRING) {
                        throw new CorruptCheckpointException(file, "tensor '" + name + "': dtype must be a string, got " + describe(json.peek()));
                    }
                    dtypeName = json.nextString();
                }
                case "shape" -> shape = readIntegers(file, json, name, key);
                case "data_offsets" -> offsets = readIntegers(file, json, name, key);
                // The reference reader ignores keys it does not know; so do we, to read files from newer writers.
                default -> json.skipValue();
            }
        }
        json.endObject();
        for (String required : List.of("dtype", "shape", "data_offsets")) {
            if (!seen.contains(required)) {
                throw new CorruptCheckpointException(file, "tensor '" + name + "': the header entry has no " + required);
            }
        }
        return checkEntry(file, name, dtypeName, shape, offsets);
    }

    private static long[] readIntegers(Path file, JsonReader json, String name, String key) throws IOException {
        if (json.peek() != JsonToken.BEGIN_ARRAY) {
            throw new CorruptCheckpointException(file, "tensor '" + name + "': " + key + " must be an array of integers, got " + describe(json.peek()));
        }
        long[] values = new long[4];
        int count = 0;
        json.beginArray();
        while (json.hasNext()) {
            if (json.peek() != JsonToken.NUMBER) {
                throw new CorruptCheckpointException(file, "tensor '" + name + "': " + key + " must hold integers, got " + describe(json.peek()));
            }
            // The literal text, so that 2.0 or 1e3 can be refused rather than rounded.
            String literal = json.nextString();
            if (!INTEGER.matcher(literal).matches()) {
                throw new CorruptCheckpointException(file, "tensor '" + name + "': " + key + " holds " + literal + ", not an integer");
            }
            long value;
            try {
                value = Long.parseLong(literal);
            } catch (NumberFormatException tooLong) {
                throw new CorruptCheckpointException(file, "tensor '" + name + "': " + key + " holds " + literal + ", which is too large");
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, 2 * count);
            }
            values[count++] = value;
        }
        json.endArray();
        return Arrays.copyOf(values, count);
    }

    private static Entry checkEntry(Path file, String name, String dtypeName, long[] shape, long[] offsets) throws CorruptCheckpointException {
        String tensor = "tensor '" + name + "'";
        DType dtype = null;
        for (DType candidate : DType.values()) {
            if (candidate.safetensorsName().equals(dtypeName)) {
                dtype = candidate;
            }
        }
        if (dtype == null) {
            throw new CorruptCheckpointException(file, tensor + " has dtype " + dtypeName + ", which cannot be loaded: only "
                    + Arrays.stream(DType.values()).map(DType::safetensorsName).toList() + " are supported");
        }
        int[] dims = new int[shape.length];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] <= 0) {
                throw new CorruptCheckpointException(file, tensor + " has shape " + Arrays.toString(shape) + ": dimension " + i + " is " + shape[i]
                        + ", but every dimension must be positive (empty tensors are not supported)");
            }
            // Both factors stay at most 2^31 - 1, so the product cannot overflow a long before this check.
            elements *= Math.min(shape[i], Integer.MAX_VALUE + 1L);
            if (elements > Integer.MAX_VALUE) {
                throw new CorruptCheckpointException(file, tensor + " has shape " + Arrays.toString(shape) + ", more than the "
                        + Integer.MAX_VALUE + " elements one array holds");
            }
            dims[i] = (int) shape[i];
        }
        if (offsets.length != 2) {
            throw new CorruptCheckpointException(file, tensor + ": data_offsets must be [begin, end], got " + Arrays.toString(offsets));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw new CorruptCheckpointException(file, tensor + ": data_offsets " + Arrays.toString(offsets) + " are not 0 <= begin <= end");
        }
        long expected = elements * dtype.bytes();
        if (end - begin != expected) {
            throw new CorruptCheckpointException(file, tensor + " (" + dtype.safetensorsName() + ", shape " + Arrays.toString(shape) + ") needs "
                    + expected + " bytes, but its data_offsets " + Arrays.toString(offsets) + " span " + (end - begin));
        }
        return new Entry(name, dtype, dims, begin, end);
    }

    /**
     * Checks that the tensors tile the data section exactly, as the format requires, and returns them in offset order.
     */
    private static List<Entry> checkLayout(Path file, List<Entry> entries, long dataBytes) throws CorruptCheckpointException {
        // Truncation is looked for first: a file cut short is the common fault, and saying so beats naming a gap.
        Entry furthest = entries.stream().max(Comparator.comparingLong(Entry::end)).orElse(null);
        if (furthest != null && furthest.end() > dataBytes) {
            throw new CorruptCheckpointException(file, "truncated: expected " + furthest.end() + " data bytes, file has " + dataBytes
                    + " (tensor '" + furthest.name() + "' ends at " + furthest.end() + ")");
        }
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry entry : ordered) {
            if (entry.begin() < covered) {
                throw new CorruptCheckpointException(file, "tensors '" + previous.name() + "' (data_offsets " + previous.offsets() + ") and '"
                        + entry.name() + "' (data_offsets " + entry.offsets() + ") overlap");
            }
            if (entry.begin() > covered) {
                throw new CorruptCheckpointException(file, "gap of " + (entry.begin() - covered) + " bytes that no tensor covers, "
                        + (previous == null ? "before the first tensor '" + entry.name() + "'"
                                : "between tensors '" + previous.name() + "' (ends at " + covered + ") and '" + entry.name() + "'")
                        + " (begins at " + entry.begin() + ")");
            }
            covered = entry.end();
            previous = entry;
        }
        if (covered < dataBytes) {
            throw new CorruptCheckpointException(file, (dataBytes - covered) + " trailing bytes: the data section has " + dataBytes + " bytes, but "
                    + (previous == null ? "the header lists no tensor" : "the last tensor '" + previous.name() + "' ends at " + covered));
        }
        return ordered;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case BEGIN_ARRAY -> "an array";
            case BEGIN_OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case END_DOCUMENT -> "nothing";
            default -> token.toString();
        };
    }
}
