package io.simdnet.engine.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Numeric datasets of HDF5 files (such as the {@code .h5} files of Keras and of course assignments), read with the
 * pure-Java library jhdf, so no native HDF5 library is needed. Integer and single-precision data become F32,
 * double-precision data F64. Paths are absolute within the file, e.g. {@code /train/images}; the leading slash may be
 * left out.
 */
public final class Hdf5 {

    private Hdf5() {
    }

    /**
     * The dataset at {@code datasetPath} with its shape: a scalar dataset becomes shape (1,). Integer values of more
     * than 24 bits lose precision in F32.
     */
    public static Tensor read(Path file, String datasetPath) throws IOException {
        String path = datasetPath.startsWith("/") ? datasetPath : "/" + datasetPath;
        try (HdfFile hdf = open(file)) {
            Map<String, Dataset> datasets = datasets(hdf);
            Dataset dataset = datasets.get(path);
            if (dataset == null) {
                throw new MalformedDataException(file, "no dataset " + path + "; the file holds " + (datasets.isEmpty() ? "no datasets"
                        : "the datasets " + String.join(", ", datasets.keySet())));
            }
            return toTensor(file, path, dataset);
        } catch (RuntimeException e) {
            // jhdf reports a malformed file with whatever its parsing hit (HdfException, ArithmeticException, index and
            // buffer exceptions: found by fuzzing); each is this file's fault, not the caller's.
            throw new MalformedDataException(file, "cannot read dataset " + path + ": " + describe(e), e);
        }
    }

    /** Every dataset's path, sorted. */
    public static List<String> datasets(Path file) throws IOException {
        try (HdfFile hdf = open(file)) {
            return List.copyOf(datasets(hdf).keySet());
        } catch (RuntimeException e) {
            throw new MalformedDataException(file, "cannot list the datasets: " + describe(e), e);
        }
    }

    private static HdfFile open(Path file) throws IOException {
        DataFiles.requireFile(file);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        try {
            return new HdfFile(file);
        } catch (RuntimeException e) {
            throw new MalformedDataException(file, "not a readable HDF5 file: " + describe(e), e);
        }
    }

    private static String describe(RuntimeException e) {
        return e instanceof HdfException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static Map<String, Dataset> datasets(HdfFile hdf) {
        Map<String, Dataset> found = new TreeMap<>();
        collect(hdf, found, new HashSet<>());
        return found;
    }

    /**
     * Walks the groups depth first. Soft and external links are not followed (they may point outside the file or
     * back up the tree), and a group reached twice through hard links is walked once.
     */
    private static void collect(Group group, Map<String, Dataset> found, Set<Long> visited) {
        if (!visited.add(group.getAddress())) {
            return;
        }
        for (Node node : group.getChildren().values()) {
            if (node.isLink()) {
                continue;
            }
            if (node instanceof Group child) {
                collect(child, found, visited);
            } else if (node instanceof Dataset dataset) {
                found.put(dataset.getPath(), dataset);
            }
        }
    }

    private static Tensor toTensor(Path file, String path, Dataset dataset) throws MalformedDataException {
        if (dataset.isCompound() || dataset.isVariableLength()) {
            throw new MalformedDataException(file, "dataset " + path + " holds " + (dataset.isCompound() ? "compound records" : "variable-length data")
                    + ", not numbers");
        }
        if (dataset.isEmpty()) {
            throw new MalformedDataException(file, "dataset " + path + " is empty (shape " + Arrays.toString(dataset.getDimensions())
                    + "); expected at least one value");
        }
        int[] dims = dataset.isScalar() ? new int[] {1} : dataset.getDimensions();
        // jhdf allocates what the header says: check it against the heap first (8 bytes a value at most, plus our copy).
        long count = dataset.getSize();
        DataFiles.checkFitsHeap(file, count < 0 || count > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : count * 8, 1,
                "dataset " + path + " of shape " + Arrays.toString(dims));
        Object flat = dataset.getDataFlat();
        return switch (flat) {
            case double[] values -> Tensor.of(values, dims);
            case float[] values -> Tensor.of(values, dims);
            case byte[] values -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = values[i];
                }
                yield Tensor.of(f, dims);
            }
            case short[] values -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = values[i];
                }
                yield Tensor.of(f, dims);
            }
            case int[] values -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = values[i];
                }
                yield Tensor.of(f, dims);
            }
            case long[] values -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = values[i];
                }
                yield Tensor.of(f, dims);
            }
            // jhdf widens unsigned 64-bit integers to BigInteger.
            case BigInteger[] values -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = values[i].floatValue();
                }
                yield Tensor.of(f, dims);
            }
            default -> throw new MalformedDataException(file, "dataset " + path + " holds " + describe(dataset)
                    + ", not numbers; expected float, double or integer data");
        };
    }

    private static String describe(Dataset dataset) {
        Class<?> type = dataset.getJavaType();
        return type == null ? "data of an unknown type" : type.getSimpleName() + " values";
    }
}
