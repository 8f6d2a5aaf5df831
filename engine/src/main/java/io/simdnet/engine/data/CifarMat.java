package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;

/**
 * CIFAR-100 (and CIFAR-10) in their MATLAB versions ({@code train.mat}, {@code test.mat}, {@code meta.mat}), read
 * with the pure-Java {@code us.hebi.matlab.mat:mfl-core}: {@code data}, an N×3072 uint8 matrix whose rows are R, G,
 * B planes of 32×32; {@code fine_labels} and {@code coarse_labels} (CIFAR-100) or {@code labels} (CIFAR-10), N×1 of
 * any numeric type; and in the meta file cell arrays of names ({@code fine_label_names}, {@code coarse_label_names},
 * {@code label_names}). Anything else fails with a {@link MalformedDataException} naming the file and the problem.
 */
public final class CifarMat {

    private static final int PIXELS = 3 * 32 * 32;

    private CifarMat() {
    }

    /** Reads a batch: CIFAR-100's fine and coarse labels, or CIFAR-10's labels. */
    public static Cifar.Batch read(Path file) throws IOException {
        try (Mat5File mat = open(file)) {
            Matrix data = matrix(file, mat, "data");
            if (data.getNumCols() != PIXELS || data.getNumDimensions() != 2) {
                throw new MalformedDataException(file, "'data' is " + dims(data) + ", expected N×3072 (one image per row)");
            }
            int n = data.getNumRows();
            boolean cifar100 = has(mat, "fine_labels");
            Tensor labels = labels(file, mat, cifar100 ? "fine_labels" : "labels", n, cifar100 ? 100 : 10);
            Tensor coarse = cifar100 ? labels(file, mat, "coarse_labels", n, 20) : null;
            byte[] pixels = new byte[Math.multiplyExact(n, PIXELS)];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < PIXELS; c++) {
                    double v = data.getDouble(r, c);
                    if (!(v >= 0 && v <= 255)) {
                        throw new MalformedDataException(file, "pixel (" + r + ", " + c + ") of 'data' is " + v + ", expected 0-255");
                    }
                    if (v != Math.rint(v)) {
                        throw new MalformedDataException(file, "pixel (" + r + ", " + c + ") of 'data' is " + v + ", expected a whole number 0-255");
                    }
                    pixels[r * PIXELS + c] = (byte) (int) v;
                }
            }
            return new Cifar.Batch(Uint8Images.of(pixels, n, 3, 32, 32), labels, coarse);
        }
    }

    /** The names in the cell array {@code variable} of a meta file. */
    public static List<String> labelNames(Path metaFile, String variable) throws IOException {
        try (Mat5File mat = open(metaFile)) {
            if (!has(mat, variable) || mat.getArray(variable).getType() != MatlabType.Cell) {
                throw new MalformedDataException(metaFile, "expected a cell array of names called '" + variable + "', found "
                        + (has(mat, variable) ? mat.getArray(variable).getType().toString() : "no such variable"));
            }
            Cell cell = mat.getCell(variable);
            List<String> names = new ArrayList<>();
            int count = cell.getNumRows() * cell.getNumCols();
            for (int i = 0; i < count; i++) {
                Array entry = cell.get(i);
                if (!(entry instanceof Char text)) {
                    throw new MalformedDataException(metaFile, "entry " + i + " of '" + variable + "' is " + entry.getType() + ", expected text");
                }
                names.add(text.getString().strip());
            }
            return names;
        }
    }

    /** Writes {@code batch} as the published .mat files hold it (uint8 data, uint8 N×1 labels), atomically. */
    public static void write(Path file, Cifar.Batch batch) throws IOException {
        int n = batch.size();
        Matrix data = Mat5.newMatrix(n, PIXELS, MatlabType.UInt8);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < PIXELS; c++) {
                data.setDouble(r, c, batch.images().get(r * PIXELS + c));
            }
        }
        Mat5File mat = Mat5.newMatFile();
        mat.addArray("data", data);
        if (batch.coarseLabels() != null) {
            mat.addArray("fine_labels", column(batch.labels())).addArray("coarse_labels", column(batch.coarseLabels()));
        } else {
            mat.addArray("labels", column(batch.labels()));
        }
        writeAtomically(file, mat);
    }

    /** Writes a meta file with one cell array of names. */
    public static void writeLabelNames(Path file, String variable, List<String> names) throws IOException {
        Cell cell = Mat5.newCell(names.size(), 1);
        for (int i = 0; i < names.size(); i++) {
            cell.set(i, 0, Mat5.newString(names.get(i)));
        }
        Mat5File mat = Mat5.newMatFile();
        mat.addArray(variable, cell);
        writeAtomically(file, mat);
    }

    private static void writeAtomically(Path file, Mat5File mat) throws IOException {
        try {
            // Uncompressed: mfl-core deflates into a buffer the size of the raw data, which incompressible pixels overflow.
            io.simdnet.engine.io.AtomicFiles.write(file, temporary -> {
                try (var sink = us.hebi.matlab.mat.types.Sinks.newStreamingFile(temporary.toFile())) {
                    Mat5.newWriter(sink).setDeflateLevel(java.util.zip.Deflater.NO_COMPRESSION).writeMat(mat);
                }
            });
        } finally {
            mat.close();
        }
    }

    private static Matrix column(Tensor labels) {
        Matrix m = Mat5.newMatrix(labels.size(), 1, MatlabType.UInt8);
        for (int i = 0; i < labels.size(); i++) {
            m.setDouble(i, 0, labels.get(i));
        }
        return m;
    }

    private static Mat5File open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        try {
            return Mat5.readFromFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new MalformedDataException(file, "not a readable MATLAB 5 .mat file (" + e.getMessage() + ")", e);
        }
    }

    private static boolean has(Mat5File mat, String name) {
        for (var entry : mat.getEntries()) {
            if (entry.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static Matrix matrix(Path file, Mat5File mat, String name) throws MalformedDataException {
        if (!has(mat, name)) {
            List<String> names = new ArrayList<>();
            mat.getEntries().forEach(e -> names.add(e.getName()));
            throw new MalformedDataException(file, "no variable '" + name + "'; the file holds " + names);
        }
        Array a = mat.getArray(name);
        if (!(a instanceof Matrix m)) {
            throw new MalformedDataException(file, "'" + name + "' is " + a.getType() + ", expected a numeric matrix");
        }
        return m;
    }

    private static Tensor labels(Path file, Mat5File mat, String name, int n, int classes) throws MalformedDataException {
        Matrix m = matrix(file, mat, name);
        if (m.getNumRows() * m.getNumCols() != n || Math.min(m.getNumRows(), m.getNumCols()) != 1) {
            throw new MalformedDataException(file, "'" + name + "' is " + dims(m) + ", expected " + n + "×1 for the " + n + " images of 'data'");
        }
        Tensor t = Tensor.zeros(DType.F32, n);
        for (int i = 0; i < n; i++) {
            double v = m.getDouble(i);
            if (v != Math.rint(v) || v < 0 || v >= classes) {
                throw new MalformedDataException(file, "label " + i + " of '" + name + "' is " + v + ", expected 0-" + (classes - 1));
            }
            t.set(i, v);
        }
        return t;
    }

    private static String dims(Array a) {
        int[] d = a.getDimensions();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < d.length; i++) {
            s.append(i == 0 ? "" : "×").append(d[i]);
        }
        return s.toString();
    }
}
