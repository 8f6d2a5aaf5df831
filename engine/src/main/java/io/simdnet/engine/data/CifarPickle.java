package io.simdnet.engine.data;

import io.simdnet.kernel.DType;
import io.simdnet.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectPickler;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Pickler;
import net.razorvine.pickle.Unpickler;

/**
 * CIFAR-10 and CIFAR-100 in their "python version" files ({@code data_batch_1} ... {@code test_batch} and
 * {@code batches.meta}; CIFAR-100's {@code train}, {@code test}, {@code meta}), read with the pure-Java
 * {@code net.razorvine:pickle}: a dict of {@code data} (a numpy uint8 array (N, 3072), rows R, G, B planes of
 * 32×32), {@code labels} (CIFAR-10) or {@code fine_labels} and {@code coarse_labels} (CIFAR-100), and in the meta
 * file {@code label_names} (or {@code fine_label_names}, {@code coarse_label_names}). Keys may be Python 2 strings,
 * as in the published files, or Python 3 bytes. Anything else fails with a {@link MalformedDataException} naming
 * the file and what was wrong.
 */
public final class CifarPickle {

    private static final int PIXELS = 3 * 32 * 32;

    static {
        Unpickler.registerConstructor("numpy.core.multiarray", "_reconstruct", args -> new NumpyArray());
        Unpickler.registerConstructor("numpy", "dtype", args -> new NumpyDtype(args.length > 0 ? text(args[0]) : ""));
        Pickler.registerCustomPickler(NumpyArray.class, new NumpyArrayPickler());
    }

    private CifarPickle() {
    }

    /** Reads one batch file of CIFAR-10 (labels) or CIFAR-100 (fine and coarse labels). */
    public static Cifar.Batch read(Path file) throws IOException {
        Map<String, Object> dict = dict(file);
        Object data = dict.get("data");
        if (!(data instanceof NumpyArray array)) {
            throw new MalformedDataException(file, "expected a numpy array under 'data', found " + describe(data) + "; keys " + dict.keySet());
        }
        if (!array.dtype.equals("u1") && !array.dtype.equals("|u1")) {
            throw new MalformedDataException(file, "'data' has dtype " + array.dtype + ", expected uint8");
        }
        if (array.shape.length != 2 || array.shape[1] != PIXELS || array.raw.length != (long) array.shape[0] * PIXELS) {
            throw new MalformedDataException(file, "'data' has shape " + java.util.Arrays.toString(array.shape) + " and " + array.raw.length
                    + " bytes, expected (N, 3072) uint8 images");
        }
        int n = array.shape[0];
        boolean cifar100 = dict.containsKey("fine_labels");
        Tensor labels = labels(file, dict, cifar100 ? "fine_labels" : "labels", n, cifar100 ? 100 : 10);
        Tensor coarse = cifar100 ? labels(file, dict, "coarse_labels", n, 20) : null;
        return new Cifar.Batch(Uint8Images.of(array.raw, n, 3, 32, 32), labels, coarse);
    }

    /** Reads and concatenates several batch files ({@code data_batch_1} ... {@code data_batch_5}). */
    public static Cifar.Batch readAll(List<Path> files) throws IOException {
        List<Cifar.Batch> batches = new ArrayList<>();
        int total = 0;
        for (Path f : files) {
            Cifar.Batch b = read(f);
            batches.add(b);
            total += b.size();
        }
        boolean coarse = batches.get(0).coarseLabels() != null;
        byte[] images = new byte[Math.multiplyExact(total, PIXELS)];
        Tensor labels = Tensor.zeros(DType.F32, total);
        Tensor coarseLabels = coarse ? Tensor.zeros(DType.F32, total) : null;
        int at = 0;
        for (Cifar.Batch b : batches) {
            System.arraycopy(b.images().pixels(), 0, images, at * PIXELS, b.size() * PIXELS);
            Tensor.copy(b.labels(), 0, labels, at, b.size());
            if (coarse && b.coarseLabels() != null) {
                Tensor.copy(b.coarseLabels(), 0, coarseLabels, at, b.size());
            }
            at += b.size();
        }
        return new Cifar.Batch(Uint8Images.of(images, total, 3, 32, 32), labels, coarseLabels);
    }

    /** The class names under {@code key} ({@code label_names}, {@code fine_label_names}, {@code coarse_label_names}) of a meta file. */
    public static List<String> labelNames(Path metaFile, String key) throws IOException {
        Map<String, Object> dict = dict(metaFile);
        if (!(dict.get(key) instanceof List<?> list)) {
            throw new MalformedDataException(metaFile, "expected a list of names under '" + key + "', found " + describe(dict.get(key))
                    + "; keys " + dict.keySet());
        }
        List<String> names = new ArrayList<>();
        for (Object o : list) {
            names.add(text(o));
        }
        return names;
    }

    /**
     * Writes {@code batch} as the published files are laid out (a dict with {@code batch_label}, {@code labels} or
     * {@code fine_labels}/{@code coarse_labels}, a uint8 numpy {@code data} array), readable by Python's
     * {@code pickle.load(f, encoding="bytes")} and by {@link #read}.
     */
    public static void write(Path file, Cifar.Batch batch) throws IOException {
        int n = batch.size();
        byte[] raw = java.util.Arrays.copyOf(batch.images().pixels(), n * PIXELS);
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("batch_label", "written by simdnet");
        if (batch.coarseLabels() != null) {
            dict.put("fine_labels", intList(batch.labels()));
            dict.put("coarse_labels", intList(batch.coarseLabels()));
        } else {
            dict.put("labels", intList(batch.labels()));
        }
        dict.put("data", new NumpyArray(new int[] {n, PIXELS}, raw));
        writePickle(file, dict);
    }

    /** Writes a meta file: {@code key} → the names. */
    public static void writeLabelNames(Path file, String key, List<String> names) throws IOException {
        writePickle(file, Map.of(key, List.copyOf(names)));
    }

    private static void writePickle(Path file, Object value) throws IOException {
        Pickler pickler = new Pickler();
        byte[] bytes = pickler.dumps(value);
        pickler.close();
        DataFiles.writeAtomically(file, bytes);
    }

    private static List<Integer> intList(Tensor t) {
        List<Integer> list = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            list.add((int) t.get(i));
        }
        return list;
    }

    private static Map<String, Object> dict(Path file) throws IOException {
        byte[] bytes = DataFiles.readAll(file).bytes();
        Object root;
        Unpickler unpickler = new Unpickler();
        try {
            root = unpickler.loads(bytes);
        } catch (IOException | RuntimeException e) {
            throw new MalformedDataException(file, "not a readable Python pickle (" + e.getMessage() + ")", e);
        } finally {
            unpickler.close();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new MalformedDataException(file, "expected a pickled dict, found " + describe(root));
        }
        Map<String, Object> dict = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            dict.put(text(e.getKey()), e.getValue());
        }
        return dict;
    }

    private static Tensor labels(Path file, Map<String, Object> dict, String key, int n, int classes) throws MalformedDataException {
        if (!(dict.get(key) instanceof List<?> list) || list.size() != n) {
            throw new MalformedDataException(file, "expected " + n + " labels under '" + key + "', found " + describe(dict.get(key)));
        }
        Tensor t = Tensor.zeros(DType.F32, n);
        for (int i = 0; i < n; i++) {
            if (!(list.get(i) instanceof Number v) || v.longValue() < 0 || v.longValue() >= classes) {
                throw new MalformedDataException(file, "label " + i + " under '" + key + "' is " + list.get(i) + ", expected 0-" + (classes - 1));
            }
            t.set(i, v.intValue());
        }
        return t;
    }

    /** Python 2 strings arrive as String (one char per byte), Python 3 bytes as byte[]. */
    private static String text(Object o) {
        if (o instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return String.valueOf(o);
    }

    private static String describe(Object o) {
        if (o == null) {
            return "nothing";
        }
        if (o instanceof List<?> list) {
            return "a list of " + list.size();
        }
        return "a " + o.getClass().getSimpleName();
    }

    /**
     * The object numpy's {@code _reconstruct} stands for; the pickle's BUILD then calls {@link #__setstate__} with
     * (version, shape, dtype, is_fortran, raw bytes).
     */
    public static final class NumpyArray {
        int[] shape = new int[0];
        String dtype = "";
        byte[] raw = new byte[0];

        NumpyArray() {
        }

        NumpyArray(int[] shape, byte[] raw) {
            this.shape = shape;
            this.dtype = "|u1";
            this.raw = raw;
        }

        /** Called by the unpickler's BUILD: numpy's ndarray state. */
        public void __setstate__(Object[] state) {
            if (state.length < 5 || !(state[1] instanceof Object[] dims) || Boolean.TRUE.equals(state[3])) {
                throw new PickleException("unsupported numpy array state (Fortran order or unknown layout)");
            }
            shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = ((Number) dims[i]).intValue();
            }
            dtype = state[2] instanceof NumpyDtype d ? d.code : String.valueOf(state[2]);
            Object data = state[4];
            // Python 2 pickles hold the bytes as a str, one char per byte.
            raw = data instanceof byte[] b ? b : String.valueOf(data).getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** numpy's {@code dtype(code, align, copy)}; its BUILD state (byte order first) is kept with the code. */
    public static final class NumpyDtype {
        String code;

        NumpyDtype(String code) {
            this.code = code;
        }

        public void __setstate__(Object[] state) {
            if (state.length > 1 && state[1] != null && !"|".equals(text(state[1])) && !code.startsWith("|")) {
                code = text(state[1]) + code;
            }
        }
    }

    /**
     * Writes a {@link NumpyArray} as numpy pickles one: {@code _reconstruct(ndarray, (0,), 'b')} then BUILD with
     * (1, shape, dtype('u1', False, True) with state (3, '|', None, None, None, -1, -1, 0), False, raw bytes).
     */
    private static final class NumpyArrayPickler implements IObjectPickler {
        private static final int MARK = '(';
        private static final int TUPLE = 't';
        private static final int REDUCE = 'R';
        private static final int BUILD = 'b';
        private static final int GLOBAL = 'c';
        private static final int BINBYTES = 'B';

        @Override
        public void pickle(Object o, OutputStream out, Pickler pickler) throws PickleException, IOException {
            NumpyArray a = (NumpyArray) o;
            global(out, "numpy.core.multiarray", "_reconstruct");
            out.write(MARK);
            global(out, "numpy", "ndarray");
            pickler.save(new Object[] {0});
            pickler.save("b");
            out.write(TUPLE);
            out.write(REDUCE);
            out.write(MARK);
            pickler.save(1);
            Object[] dims = new Object[a.shape.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = a.shape[i];
            }
            pickler.save(dims);
            global(out, "numpy", "dtype");
            out.write(MARK);
            pickler.save("u1");
            pickler.save(false);
            pickler.save(true);
            out.write(TUPLE);
            out.write(REDUCE);
            pickler.save(new Object[] {3, "|", null, null, null, -1, -1, 0});
            out.write(BUILD);
            pickler.save(false);
            ByteArrayOutputStream length = new ByteArrayOutputStream();
            int size = a.raw.length;
            length.write(new byte[] {(byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)});
            out.write(BINBYTES);
            out.write(length.toByteArray());
            out.write(a.raw);
            out.write(TUPLE);
            out.write(BUILD);
        }

        private static void global(OutputStream out, String module, String name) throws IOException {
            out.write(GLOBAL);
            out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
