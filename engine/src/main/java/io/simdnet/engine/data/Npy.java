package io.simdnet.engine.data;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NumPy's {@code .npy} format, versions 1.0, 2.0 and 3.0: the magic {@code \x93NUMPY}, a major and minor version byte,
 * a little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), then a Python dict literal with exactly the keys
 * {@code descr}, {@code fortran_order} and {@code shape}, padded with spaces and a newline, then the raw data in C
 * order. Reads unsigned bytes and 64-bit integers as floats ({@code u1} to F32, {@code i8} to F64), {@code f4} as F32
 * and {@code f8} as F64, in either byte order; writes {@code <f4} or {@code <f8} with the header numpy itself writes.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** numpy aligns the data to 64 bytes so that it can be memory-mapped with any element type. */
    private static final int ALIGN = 64;

    /**
     * numpy 2 pads the header for a first dimension of up to 21 digits, so that an array can grow in place along it
     * without moving its data; written the same, our files are byte-identical to numpy's.
     */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** The largest integer below which every integer is exactly a double. */
    private static final long EXACT_DOUBLE_LIMIT = 1L << 53;

    private static final int CHUNK_BYTES = 1 << 20;

    private Npy() {
    }

    /** The element types a file may declare, by size. */
    private enum Kind {
        U1(1), F4(4), F8(8), I8(8);

        final int bytes;

        Kind(int bytes) {
            this.bytes = bytes;
        }
    }

    /** A declared element type and its byte order (null for single bytes, which have none). */
    private record Descr(Kind kind, ByteOrder order) {
    }

    private record Header(Descr descr, boolean fortranOrder, long[] shape) {
    }

    /** Reads an array: F32 for {@code u1} and {@code f4}, F64 for {@code f8} and {@code i8}. */
    public static Tensor read(Path file) throws IOException {
        DataFiles.Contents contents = DataFiles.readAll(file);
        ByteBuffer bytes = ByteBuffer.wrap(contents.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.remaining() < MAGIC.length + 2 || !Arrays.equals(contents.bytes(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new MalformedDataException(file, "not a .npy file: it does not start with the magic \\x93NUMPY");
        }
        bytes.position(MAGIC.length);
        int major = bytes.get() & 0xFF;
        int minor = bytes.get() & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw new MalformedDataException(file, "format version " + major + "." + minor + ", expected 1.0, 2.0 or 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        if (bytes.remaining() < lengthBytes) {
            throw new MalformedDataException(file, "truncated: the file ends inside the header length");
        }
        long headerLength = major == 1 ? Short.toUnsignedInt(bytes.getShort()) : Integer.toUnsignedLong(bytes.getInt());
        if (headerLength > bytes.remaining()) {
            throw new MalformedDataException(file, "truncated: the header length says " + headerLength + " bytes, " + bytes.remaining()
                    + " follow the length field");
        }
        ByteBuffer headerBytes = bytes.slice(bytes.position(), (int) headerLength);
        bytes.position(bytes.position() + (int) headerLength);
        Header header = new HeaderParser(file, decodeHeader(file, headerBytes, major)).parse();
        if (header.fortranOrder()) {
            throw new MalformedDataException(file, "fortran_order is True: column-major arrays are not supported; save a C-order array "
                    + "(numpy.ascontiguousarray) instead");
        }
        long[] shape = header.shape();
        if (shape.length == 0) {
            throw new MalformedDataException(file, "shape () is a 0-d scalar; expected an array of rank 1 or more");
        }
        int[] dims = new int[shape.length];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) {
                throw new MalformedDataException(file, "shape " + shapeText(shape) + " is empty; expected every dimension > 0");
            }
            elements *= Math.min(shape[i], Integer.MAX_VALUE + 1L);
            if (elements > DataFiles.MAX_ARRAY) {
                throw new MalformedDataException(file, "shape " + shapeText(shape) + " has more elements than one array holds");
            }
            dims[i] = (int) shape[i];
        }
        Descr descr = header.descr();
        long expected = elements * descr.kind().bytes;
        long actual = bytes.remaining();
        String what = "shape " + shapeText(shape) + " of " + descrText(descr) + " needs " + expected + " data bytes";
        if (actual < expected) {
            throw new MalformedDataException(file, "truncated: " + what + ", " + contents.has() + " " + actual + " after the header");
        }
        if (actual > expected) {
            throw new MalformedDataException(file, (actual - expected) + " trailing bytes: " + what + ", " + contents.has() + " " + actual
                    + " after the header");
        }
        ByteBuffer data = bytes.slice().order(descr.order() == null ? ByteOrder.LITTLE_ENDIAN : descr.order());
        int n = (int) elements;
        return switch (descr.kind()) {
            case U1 -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = data.get(i) & 0xFF;
                }
                yield Tensor.of(values, dims);
            }
            case F4 -> {
                float[] values = new float[n];
                data.asFloatBuffer().get(values);
                yield Tensor.of(values, dims);
            }
            case F8 -> {
                double[] values = new double[n];
                data.asDoubleBuffer().get(values);
                yield Tensor.of(values, dims);
            }
            case I8 -> {
                double[] values = new double[n];
                LongBuffer longs = data.asLongBuffer();
                for (int i = 0; i < n; i++) {
                    long value = longs.get(i);
                    if (value > EXACT_DOUBLE_LIMIT || value < -EXACT_DOUBLE_LIMIT) {
                        throw new MalformedDataException(file, "int64 value " + value + " at index " + i
                                + " is beyond ±2^53, where doubles stop holding every integer exactly");
                    }
                    values[i] = value;
                }
                yield Tensor.of(values, dims);
            }
        };
    }

    /**
     * Writes {@code t} as {@code <f4} (F32) or {@code <f8} (F64) in format 1.0, with the header numpy writes: padded with
     * spaces and a newline so that the data starts at a multiple of 64 bytes. Replaces {@code file} atomically: a
     * failed write leaves any existing file as it was.
     */
    public static void write(Path file, Tensor t) throws IOException {
        write(file, t, t.dtype() == DType.F32 ? "<f4" : "<f8");
    }

    /**
     * Writes {@code t} as 64-bit integers ({@code <i8}, what numpy gives label arrays); every value must be a whole
     * number. Replaces {@code file} atomically.
     */
    public static void writeInt64(Path file, Tensor t) throws IOException {
        for (int i = 0; i < t.size(); i++) {
            double v = t.get(i);
            if (v != Math.rint(v) || Math.abs(v) > EXACT_DOUBLE_LIMIT) {
                throw new IllegalArgumentException(file + ": element " + i + " is " + v + ", not a whole number for an int64 array");
            }
        }
        write(file, t, "<i8");
    }

    private static void write(Path file, Tensor t, String descr) throws IOException {
        int elementBytes = descr.equals("<f4") ? 4 : 8;
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
                .append(t.shape()).append(", }");
        dict.repeat(' ', GROWTH_AXIS_MAX_DIGITS - Integer.toString(t.shape().dim(0)).length());
        int headerLength = dict.length() + 1;
        // As numpy: a header that is already aligned still gets a full 64 bytes of padding.
        int padding = ALIGN - (MAGIC.length + 2 + 2 + headerLength) % ALIGN;
        dict.repeat(' ', padding).append('\n');
        byte[] text = dict.toString().getBytes(US_ASCII);
        if (text.length > 0xFFFF) {
            throw new IllegalArgumentException(file + ": a rank-" + t.shape().rank() + " shape makes a header of " + text.length
                    + " bytes, more than format 1.0's 65535");
        }
        ByteBuffer prefix = ByteBuffer.allocate(MAGIC.length + 4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text).flip();
        DataFiles.writeAtomically(file, channel -> {
            DataFiles.writeFully(channel, prefix);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            int size = t.size();
            int perChunk = CHUNK_BYTES / elementBytes;
            for (int from = 0; from < size; from += perChunk) {
                int count = Math.min(perChunk, size - from);
                chunk.clear();
                if (descr.equals("<i8")) {
                    for (int i = 0; i < count; i++) {
                        chunk.putLong(i * 8, (long) t.get(from + i));
                    }
                } else if (t.dtype() == DType.F32) {
                    chunk.asFloatBuffer().put(t.floats(), from, count);
                } else {
                    chunk.asDoubleBuffer().put(t.doubles(), from, count);
                }
                chunk.limit(count * elementBytes);
                DataFiles.writeFully(channel, chunk);
            }
        });
    }

    private static String decodeHeader(Path file, ByteBuffer bytes, int major) throws MalformedDataException {
        if (major < 3) {
            // Formats 1.0 and 2.0 define the header as latin-1, so every byte sequence decodes.
            return ISO_8859_1.decode(bytes).toString();
        }
        try {
            return UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedDataException(file, "the format 3.0 header is not valid UTF-8", e);
        }
    }

    private static String shapeText(long[] shape) {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static String descrText(Descr descr) {
        String order = descr.order() == null ? "|" : descr.order() == ByteOrder.LITTLE_ENDIAN ? "<" : ">";
        return "'" + order + descr.kind().name().toLowerCase() + "'";
    }

    /**
     * A strict reader of the header's Python dict literal: string keys, and values that are strings, {@code True},
     * {@code False} or tuples of non-negative integers, with the trailing commas Python allows. Anything else, a
     * missing or repeated key, or an unknown key is an error, as it is for numpy.
     */
    private static final class HeaderParser {

        private final Path file;
        private final String text;
        private int at;

        HeaderParser(Path file, String text) {
            this.file = file;
            this.text = text;
        }

        Header parse() throws MalformedDataException {
            String descr = null;
            Boolean fortranOrder = null;
            long[] shape = null;
            skipSpace();
            expect('{');
            skipSpace();
            while (peek() != '}') {
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                switch (key) {
                    case "descr" -> {
                        if (descr != null) {
                            throw fail("key 'descr' appears twice");
                        }
                        if (peek() == '[') {
                            throw fail("descr is a list: structured (record) arrays are not supported");
                        }
                        descr = string();
                    }
                    case "fortran_order" -> {
                        if (fortranOrder != null) {
                            throw fail("key 'fortran_order' appears twice");
                        }
                        fortranOrder = bool();
                    }
                    case "shape" -> {
                        if (shape != null) {
                            throw fail("key 'shape' appears twice");
                        }
                        shape = tuple();
                    }
                    default -> throw fail("unexpected key '" + key + "'; expected only 'descr', 'fortran_order' and 'shape'");
                }
                skipSpace();
                if (peek() == ',') {
                    at++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw fail("expected ',' or '}'");
                }
            }
            at++;
            skipSpace();
            if (at != text.length()) {
                throw fail("unexpected text after the header dict");
            }
            if (descr == null || fortranOrder == null || shape == null) {
                throw new MalformedDataException(file, "the header lacks " + (descr == null ? "'descr'" : fortranOrder == null ? "'fortran_order'"
                        : "'shape'") + "; expected the keys 'descr', 'fortran_order' and 'shape': " + text.strip());
            }
            return new Header(descr(descr), fortranOrder, shape);
        }

        private Descr descr(String descr) throws MalformedDataException {
            Descr parsed = switch (descr) {
                case "|u1", "u1", "<u1", ">u1", "=u1" -> new Descr(Kind.U1, null);
                case "<f4" -> new Descr(Kind.F4, ByteOrder.LITTLE_ENDIAN);
                case ">f4" -> new Descr(Kind.F4, ByteOrder.BIG_ENDIAN);
                case "<f8" -> new Descr(Kind.F8, ByteOrder.LITTLE_ENDIAN);
                case ">f8" -> new Descr(Kind.F8, ByteOrder.BIG_ENDIAN);
                case "<i8" -> new Descr(Kind.I8, ByteOrder.LITTLE_ENDIAN);
                case ">i8" -> new Descr(Kind.I8, ByteOrder.BIG_ENDIAN);
                default -> null;
            };
            if (parsed == null) {
                throw new MalformedDataException(file, "dtype '" + descr + "' is not supported; expected |u1, <f4, >f4, <f8, >f8, <i8 or >i8");
            }
            return parsed;
        }

        private String string() throws MalformedDataException {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw fail("expected a quoted string");
            }
            int end = text.indexOf(quote, at + 1);
            if (end < 0) {
                throw fail("unterminated string");
            }
            String value = text.substring(at + 1, end);
            if (value.indexOf('\\') >= 0) {
                throw fail("escape sequences are not expected in header strings");
            }
            at = end + 1;
            return value;
        }

        private boolean bool() throws MalformedDataException {
            if (text.startsWith("True", at)) {
                at += 4;
                return true;
            }
            if (text.startsWith("False", at)) {
                at += 5;
                return false;
            }
            throw fail("expected True or False");
        }

        private long[] tuple() throws MalformedDataException {
            expect('(');
            List<Long> values = new ArrayList<>();
            boolean trailingComma = false;
            skipSpace();
            while (peek() != ')') {
                values.add(integer());
                skipSpace();
                trailingComma = false;
                if (peek() == ',') {
                    at++;
                    trailingComma = true;
                    skipSpace();
                } else if (peek() != ')') {
                    throw fail("expected ',' or ')' in the shape");
                }
            }
            at++;
            if (values.size() == 1 && !trailingComma) {
                // (3) is the integer 3 in Python, not a tuple; numpy refuses it as a shape.
                throw fail("a one-element shape needs a trailing comma, as in (3,)");
            }
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer() throws MalformedDataException {
            int start = at;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            if (at == start) {
                throw fail("expected a non-negative integer in the shape");
            }
            try {
                return Long.parseLong(text, start, at, 10);
            } catch (NumberFormatException e) {
                throw fail("dimension " + text.substring(start, at) + " is too large");
            }
        }

        private void expect(char c) throws MalformedDataException {
            if (peek() != c) {
                throw fail("expected '" + c + "'");
            }
            at++;
        }

        private char peek() throws MalformedDataException {
            if (at >= text.length()) {
                throw fail("the header ends early");
            }
            return text.charAt(at);
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private MalformedDataException fail(String problem) {
            return new MalformedDataException(file, "header dict: " + problem + " at character " + at + " of " + text.strip());
        }
    }
}
