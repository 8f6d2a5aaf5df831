package io.simdnet.cli;

import io.simdnet.engine.data.DataLocator;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.DatasetNotFoundException;
import io.simdnet.engine.data.MalformedDataException;
import io.simdnet.engine.data.Npy;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The face/gender course exercise's data: {@code data.npy}, N greyscale 32×32 faces ((N, 32, 32), (N, 1024),
 * (N, 32, 32, 1) or (N, 1, 32, 32); bytes or floats, 0-255 or 0-1), and {@code target.npy}, (N, 2) labels: column 0
 * the actor (0-5), column 1 the gender (0-1); an (N,) file holds the actors only. Optional {@code names.txt} and
 * {@code gender_names.txt} name the classes, one per line.
 */
final class FacesData {

    static final String DATASET = "faces";
    static final int SIDE = 32;
    static final List<String> FILES = List.of("data.npy", "target.npy");

    enum Task {
        NAME, GENDER
    }

    /** The images, scaled to [0, 1], as (N, 1, 32, 32), the labels of the task, and the class names. */
    record Faces(Dataset data, List<String> classNames, String source) {
    }

    private FacesData() {
    }

    static Faces load(Path explicitDir, Task task) throws IOException {
        Path dir;
        try {
            dir = DataLocator.locate(DATASET, explicitDir, FILES);
        } catch (DatasetNotFoundException e) {
            throw new IOException("no face data: put the course's data.npy (N×32×32 greyscale faces) and target.npy (N×2: actor, gender) in "
                    + (explicitDir != null ? explicitDir : "./data/faces") + " (or pass --data DIR; `faces --write-synthetic DIR` writes a stand-in"
                    + " in the same format)", e);
        }
        Path dataFile = dir.resolve("data.npy");
        Path targetFile = dir.resolve("target.npy");
        Tensor images = Npy.read(dataFile);
        Tensor targets = Npy.read(targetFile);
        int n = images.shape().dim(0);
        int[] dims = images.shape().toArray();
        int pixels = images.size() / Math.max(n, 1);
        boolean greyscale32 = pixels == SIDE * SIDE && switch (dims.length) {
            case 2 -> true;
            case 3 -> dims[1] == SIDE && dims[2] == SIDE;
            case 4 -> (dims[1] == 1 && dims[2] == SIDE && dims[3] == SIDE) || (dims[1] == SIDE && dims[2] == SIDE && dims[3] == 1);
            default -> false;
        };
        if (!greyscale32 || n == 0) {
            throw new MalformedDataException(dataFile, "expected N greyscale 32×32 images, shaped (N, 32, 32), (N, 1024), (N, 32, 32, 1) or "
                    + "(N, 1, 32, 32), got " + images.shape());
        }
        int[] t = targets.shape().toArray();
        boolean twoTasks = t.length == 2 && t[1] == 2;
        if (!(t.length == 1 || twoTasks) || t[0] != n) {
            throw new MalformedDataException(targetFile, "expected labels shaped (" + n + ", 2) (actor, gender) or (" + n + ",) (actor) for the "
                    + n + " images of data.npy, got " + targets.shape());
        }
        if (task == Task.GENDER && !twoTasks) {
            throw new MalformedDataException(targetFile, "--task gender needs a second column (gender); this file has the actors only, shape "
                    + targets.shape());
        }
        int column = task == Task.NAME ? 0 : 1;
        int stride = twoTasks ? 2 : 1;
        Tensor labels = Tensor.zeros(DType.F32, n);
        int classes = 0;
        for (int i = 0; i < n; i++) {
            double v = targets.get(i * stride + column);
            if (v != Math.rint(v) || v < 0 || v > 1000) {
                throw new MalformedDataException(targetFile, "label of image " + i + " (" + (column == 0 ? "actor" : "gender") + ") is " + v
                        + ", expected a class number 0, 1, 2, ...");
            }
            labels.set(i, v);
            classes = Math.max(classes, (int) v + 1);
        }
        if (task == Task.GENDER && classes > 2) {
            throw new MalformedDataException(targetFile, "gender labels must be 0 or 1, found " + (classes - 1));
        }
        double max = 0;
        for (int i = 0; i < images.size(); i++) {
            max = Math.max(max, images.get(i));
        }
        Tensor x = Tensor.zeros(DType.F32, n, 1, SIDE, SIDE);
        double scale = max > 1 ? 1 / 255.0 : 1;
        // (N, 32, 32, 1) and (N, 1, 32, 32) hold one channel, so HWC and CHW orders coincide.
        for (int i = 0; i < x.size(); i++) {
            x.set(i, images.get(i) * scale);
        }
        List<String> names = names(dir.resolve(task == Task.NAME ? "names.txt" : "gender_names.txt"), task == Task.NAME ? classes : 2,
                task == Task.NAME ? "actor " : "gender ");
        return new Faces(Dataset.of(x, labels), names, "faces from " + dir + " (" + n + " images, " + (task == Task.NAME ? "actor" : "gender")
                + " labels)");
    }

    private static List<String> names(Path file, int classes, String fallback) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
            if (names.size() < classes) {
                throw new MalformedDataException(file, "names " + names.size() + " classes, but the labels go up to " + (classes - 1));
            }
            return names;
        }
        for (int c = 0; c < classes; c++) {
            names.add(fallback + c);
        }
        return names;
    }

    /**
     * Writes a stand-in data set in the course's format: {@code count} faces of 6 synthetic "actors" (each a fixed
     * pattern of blurred blobs, shifted by up to 2 pixels, with varied brightness and noise), actors 0-2 of
     * gender 0 and 3-5 of gender 1, as data.npy (float64, 0-255), target.npy (int64, N×2) and names.txt.
     */
    static void writeSynthetic(Path dir, int count, long seed) throws IOException {
        Files.createDirectories(dir);
        Rng rng = new Rng(seed);
        int actors = 6;
        double[][] templates = new double[actors][SIDE * SIDE];
        for (double[] template : templates) {
            for (int blob = 0; blob < 5; blob++) {
                double cy = rng.uniform(6, 26);
                double cx = rng.uniform(6, 26);
                double radius = rng.uniform(2, 6);
                double weight = rng.uniform(-1, 1);
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        double d2 = ((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (radius * radius);
                        template[y * SIDE + x] += weight * Math.exp(-d2);
                    }
                }
            }
        }
        Tensor data = Tensor.zeros(DType.F64, count, SIDE, SIDE);
        Tensor target = Tensor.zeros(DType.F64, count, 2);
        for (int i = 0; i < count; i++) {
            int actor = rng.nextInt(actors);
            int dy = rng.nextInt(5) - 2;
            int dx = rng.nextInt(5) - 2;
            double brightness = rng.uniform(0.7, 1.3);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int sy = Math.clamp(y + dy, 0, SIDE - 1);
                    int sx = Math.clamp(x + dx, 0, SIDE - 1);
                    double v = 128 + 80 * brightness * templates[actor][sy * SIDE + sx] + rng.uniform(-25, 25);
                    data.set(i * SIDE * SIDE + y * SIDE + x, Math.clamp(Math.rint(v), 0, 255));
                }
            }
            target.set(2 * i, actor);
            target.set(2 * i + 1, actor < 3 ? 0 : 1);
        }
        Npy.write(dir.resolve("data.npy"), data);
        Npy.writeInt64(dir.resolve("target.npy"), target);
        RunFolder.writeAtomically(dir.resolve("names.txt"),
                temp -> Files.write(temp, List.of("actor A", "actor B", "actor C", "actor D", "actor E", "actor F")));
    }
}
