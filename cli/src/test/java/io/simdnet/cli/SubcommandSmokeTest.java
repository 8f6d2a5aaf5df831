package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Cifar;
import io.simdnet.engine.data.Idx;
import io.simdnet.engine.data.Uint8Images;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.io.SafeTensors;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every subcommand runs end to end for a few steps on tiny data and writes its run folder. */
class SubcommandSmokeTest {

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.commandLine().execute(args);
    }

    private List<Path> runFolders() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("runs"))) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    private static void assertClassificationOutputs(Path run) throws IOException {
        for (String file : List.of("metrics.csv", "metrics.json", "step_losses.csv", "loss.png", "accuracy.png", "confusion_matrix.png",
                "filters.png", "weights.safetensors", "summary.txt")) {
            assertTrue(Files.isRegularFile(run.resolve(file)), run + " lacks " + file);
        }
        assertPng(run.resolve("loss_vs_examples.png"), 900, 540);
        assertPng(run.resolve("train_samples.png"), -5 * 84, -5 * 84);
        assertPng(run.resolve("test_predictions.png"), -5 * 84, -84);
    }

    /** Conv trainers also draw the feature maps: the input and at least 6 maps of 8 columns. */
    private static void assertFeatureMaps(Path run) throws IOException {
        assertPng(run.resolve("feature_maps.png"), -8 * 56, -2 * 56);
    }

    private static Tensor random(Rng rng, int count, int... sample) {
        int[] dims = new int[sample.length + 1];
        dims[0] = count;
        System.arraycopy(sample, 0, dims, 1, sample.length);
        Tensor t = Tensor.zeros(DType.F32, dims);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, rng.nextInt(256));
        }
        return t;
    }

    private static Tensor labels(Rng rng, int count, int classes) {
        Tensor t = Tensor.zeros(DType.F32, count);
        for (int i = 0; i < count; i++) {
            t.set(i, rng.nextInt(classes));
        }
        return t;
    }

    private Path writeMnist() throws IOException {
        Path mnist = Files.createDirectories(dir.resolve("data/mnist"));
        Rng rng = new Rng(1);
        Idx.writeImages(mnist.resolve("train-images-idx3-ubyte"), random(rng, 120, 1, 28, 28));
        Idx.writeLabels(mnist.resolve("train-labels-idx1-ubyte"), labels(rng, 120, 10));
        Idx.writeImages(mnist.resolve("t10k-images-idx3-ubyte"), random(rng, 40, 1, 28, 28));
        Idx.writeLabels(mnist.resolve("t10k-labels-idx1-ubyte"), labels(rng, 40, 10));
        return dir.resolve("data");
    }

    private static List<String> superclassNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add("superclass_" + i);
        }
        return names;
    }

    private Path writeCifar100() throws IOException {
        Path cifar = Files.createDirectories(dir.resolve("data/cifar-100"));
        Rng rng = new Rng(2);
        Cifar.write(cifar.resolve("train.bin"), new Cifar.Batch(Uint8Images.of(random(rng, 100, 3, 32, 32)), labels(rng, 100, 100), labels(rng, 100, 20)),
                Cifar.Format.CIFAR100);
        Cifar.write(cifar.resolve("test.bin"), new Cifar.Batch(Uint8Images.of(random(rng, 30, 3, 32, 32)), labels(rng, 30, 100), labels(rng, 30, 20)),
                Cifar.Format.CIFAR100);
        List<String> names = superclassNames();
        Files.write(cifar.resolve("coarse_label_names.txt"), names);
        return dir.resolve("data");
    }

    private Path writeCifar10() throws IOException {
        Path cifar = Files.createDirectories(dir.resolve("data/cifar-10-batches-bin"));
        Rng rng = new Rng(3);
        for (int b = 1; b <= 5; b++) {
            Cifar.write(cifar.resolve("data_batch_" + b + ".bin"), new Cifar.Batch(Uint8Images.of(random(rng, 20, 3, 32, 32)), labels(rng, 20, 10), null),
                    Cifar.Format.CIFAR10);
        }
        Cifar.write(cifar.resolve("test_batch.bin"), new Cifar.Batch(Uint8Images.of(random(rng, 20, 3, 32, 32)), labels(rng, 20, 10), null), Cifar.Format.CIFAR10);
        Files.write(cifar.resolve("batches.meta.txt"),
                List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"));
        return dir.resolve("data");
    }

    private String[] common(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--out", dir.resolve("runs").toString(), "--epochs", "1", "--no-progress"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void lenet5WithBatchNormAndDropoutRunsOnTheEmbeddedSlice() throws IOException {
        // An empty --data folder would be an error; with no --data the embedded slice (or an installed copy) is used.
        assertEquals(0, run(common("lenet5", "--limit", "200", "--batchnorm", "--dropout", "0.3")));
        Path run = runFolders().get(0);
        assertClassificationOutputs(run);
        assertFeatureMaps(run);
        assertTrue(Files.isRegularFile(run.resolve("misclassified.png")));
        assertTrue(SafeTensors.read(run.resolve("weights.safetensors")).tensors().containsKey("batch_norm.running_var"));
    }

    @Test
    void fashionMlpRuns() throws IOException {
        assertEquals(0, run(common("fashion-mlp", "--limit", "300")));
        assertClassificationOutputs(runFolders().get(0));
    }

    @Test
    void mnistMlpAndCnnRunOnIdxFiles() throws IOException {
        Path data = writeMnist();
        assertEquals(0, run(common("mnist-mlp", "--data", data.toString())));
        assertEquals(0, run(common("mnist-cnn", "--data", data.toString(), "--batch-size", "16")));
        assertEquals(2, runFolders().size());
        for (Path run : runFolders()) {
            assertClassificationOutputs(run);
        }
        Path cnn = runFolders().stream().filter(p -> p.getFileName().toString().startsWith("mnist-cnn")).findFirst().orElseThrow();
        assertFeatureMaps(cnn);
    }

    @Test
    void cifarCommandsRunOnCifarFormatFiles() throws IOException {
        writeCifar10();
        Path data = writeCifar100();
        assertEquals(0, run(common("cifar100-coarse", "--data", data.toString())));
        assertEquals(0, run(common("cifar10-convnet", "--data", data.toString())));
        assertEquals(0, run(common("cifar-best", "--data", data.toString(), "--dataset", "cifar10", "--width", "8")));
        assertEquals(0, run(common("cifar-best", "--data", data.toString(), "--width", "8")));
        assertEquals(0, run(common("cifar10-convnet", "--data", data.toString(), "--dataset", "cifar100-coarse", "--no-normalize")));
        assertEquals(5, runFolders().size());
        for (Path run : runFolders()) {
            assertClassificationOutputs(run);
            assertFeatureMaps(run);
            if (!Files.readString(run.resolve("summary.txt")).isEmpty() && Files.exists(run.resolve("denormalized_sample.png"))) {
                assertPng(run.resolve("denormalized_sample.png"), -32 * 8, -32 * 8);
            }
        }
        assertEquals(4, runFolders().stream().filter(r -> Files.exists(r.resolve("denormalized_sample.png"))).count(),
                "every normalised CIFAR run, not the --no-normalize one");
    }

    @Test
    void cifar10TrainsFromThePythonPickleBatches() throws IOException {
        Path cifar = Files.createDirectories(dir.resolve("data/cifar-10-batches-py"));
        Rng rng = new Rng(6);
        for (int b = 1; b <= 5; b++) {
            io.simdnet.engine.data.CifarPickle.write(cifar.resolve("data_batch_" + b), new Cifar.Batch(Uint8Images.of(random(rng, 12, 3, 32, 32)), labels(rng, 12, 10), null));
        }
        io.simdnet.engine.data.CifarPickle.write(cifar.resolve("test_batch"), new Cifar.Batch(Uint8Images.of(random(rng, 10, 3, 32, 32)), labels(rng, 10, 10), null));
        io.simdnet.engine.data.CifarPickle.writeLabelNames(cifar.resolve("batches.meta"), "label_names",
                List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"));
        assertEquals(0, run(common("cifar10-convnet", "--data", dir.resolve("data").toString())));
        Path run = runFolders().get(0);
        assertClassificationOutputs(run);
        assertTrue(Files.readString(run.resolve("summary.txt")).contains("Python version"));
    }

    @Test
    void cifar100CoarseTrainsFromTheMatlabFiles() throws IOException {
        Path cifar = Files.createDirectories(dir.resolve("data/cifar-100-matlab"));
        Rng rng = new Rng(7);
        io.simdnet.engine.data.CifarMat.write(cifar.resolve("train.mat"), new Cifar.Batch(Uint8Images.of(random(rng, 50, 3, 32, 32)), labels(rng, 50, 100),
                labels(rng, 50, 20)));
        io.simdnet.engine.data.CifarMat.write(cifar.resolve("test.mat"), new Cifar.Batch(Uint8Images.of(random(rng, 10, 3, 32, 32)), labels(rng, 10, 100),
                labels(rng, 10, 20)));
        List<String> names = superclassNames();
        io.simdnet.engine.data.CifarMat.writeLabelNames(cifar.resolve("meta.mat"), "coarse_label_names", names);
        assertEquals(0, run(common("cifar100-coarse", "--data", dir.resolve("data").toString())));
        Path run = runFolders().get(0);
        assertClassificationOutputs(run);
        assertTrue(Files.readString(run.resolve("summary.txt")).contains("MATLAB version"));
    }

    @Test
    void cs231nConvnetRunsItsSanityChecksAndValidatesEveryNIterations() throws IOException {
        Path data = writeCifar10();
        assertEquals(0, run(common("cs231n-convnet", "--data", data.toString(), "--validate-every", "1", "--reg", "0.01", "--filters", "8",
                "--lr-decay", "0.9", "--l1", "0")));
        Path run = runFolders().get(0);
        assertClassificationOutputs(run);
        assertFeatureMaps(run);
        String sanity = Files.readString(run.resolve("sanity_checks.txt"));
        assertTrue(sanity.contains("Initial loss (no regularisation): 2.30") && sanity.contains("log 10 = 2.3026: ok"), sanity);
        assertTrue(sanity.contains("Overfitting 80 samples"), sanity);
        assertEquals(1 + 2, Files.readString(run.resolve("validation_checks.csv")).lines().count(), "80 samples, batch 50: 2 iterations");
        assertPng(run.resolve("validation_checks.png"), 900, 540);
    }

    @Test
    void cifar100CoarseTakesBatchNormAndTheEngineOptions() throws IOException {
        Path data = writeCifar100();
        assertEquals(0, run(common("cifar100-coarse", "--data", data.toString(), "--batchnorm", "--l2", "1e-4", "--lr-decay", "0.5",
                "--lr-decay-every", "1", "--no-normalize")));
        Path run = runFolders().get(0);
        assertTrue(Files.readString(run.resolve("summary.txt")).contains("BatchNorm"));
        assertFalse(Files.exists(run.resolve("denormalized_sample.png")));
    }

    @Test
    void sparseAutoencoderWritesHiddenUnitsAndReconstructions() throws IOException {
        Path data = writeCifar100();
        assertEquals(0, run(common("sparse-autoencoder", "--data", data.toString(), "--count", "300")));
        Path run = runFolders().get(0);
        for (String file : List.of("hidden_units.png", "reconstructions.png", "loss.png", "metrics.json", "weights.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve(file)), run + " lacks " + file);
        }
        assertPng(run.resolve("patches_rgb_normalized.png"), -2 * 20 * 32, -10 * 32);
        assertTrue(Files.readString(run.resolve("metrics.json")).contains("\"held_out_patches\": 30"));
    }

    @Test
    void sparseAutoencoderComparesHiddenSizesAndLambdasInOneFigure() throws IOException {
        Path data = writeCifar100();
        assertEquals(0, run(common("sparse-autoencoder", "--data", data.toString(), "--count", "200", "--compare")));
        Path run = runFolders().get(0);
        assertEquals(2 + 9, Files.readString(run.resolve("comparison.md")).lines().count());
        assertPng(run.resolve("comparison.png"), -3 * 200, -3 * 200);
    }

    @Test
    void sparseAutoencoderTrainsWithLbfgsAndAnyHiddenSize() throws IOException {
        Path data = writeCifar100();
        assertEquals(0, run(common("sparse-autoencoder", "--data", data.toString(), "--count", "200", "--optimizer", "lbfgs", "--hidden", "25",
                "--profile")));
        Path run = runFolders().get(0);
        assertPng(run.resolve("hidden_units.png"), -8 * 64, -4 * 64);
        assertPng(run.resolve("loss.png"), 900, 540);
        assertTrue(Files.readString(run.resolve("metrics.json")).contains("\"hidden\": 25"));
        // L-BFGS runs outside fit: its cost evaluations are profiled all the same.
        assertTrue(Files.readString(run.resolve("profile.csv")).contains("\ndense,backward,"), Files.readString(run.resolve("profile.csv")));
    }

    @Test
    void sparseAutoencoderReadsRgbPatchesFromHdf5() throws IOException {
        Path file = dir.resolve("patches.h5");
        Rng rng = new Rng(4);
        float[][][][] patches = new float[60][3][16][16];
        for (float[][][] patch : patches) {
            for (float[][] plane : patch) {
                for (float[] row : plane) {
                    for (int x = 0; x < row.length; x++) {
                        row[x] = rng.nextInt(256);
                    }
                }
            }
        }
        try (io.jhdf.WritableHdfFile hdf = io.jhdf.HdfFile.write(file)) {
            hdf.putDataset("patches", patches);
        }
        assertEquals(0, run(common("sparse-autoencoder", "--patches", file.toString())));
        assertTrue(Files.isRegularFile(runFolders().get(0).resolve("hidden_units.png")));
    }

    @Test
    void sweepWritesTableAndPlot() throws IOException {
        assertEquals(0, run(common("sweep", "--limit", "300", "--lrs", "1e-3", "--batch-sizes", "32", "--dropouts", "0,0.5")));
        Path run = runFolders().get(0);
        assertTrue(Files.readString(run.resolve("sweep.md")).lines().count() == 4, Files.readString(run.resolve("sweep.md")));
        assertTrue(Files.isRegularFile(run.resolve("sweep.png")));
    }

    /** A valid PNG of exactly {@code width}×{@code height} pixels, or at least that large when either is negative. */
    static void assertPng(Path png, int width, int height) throws IOException {
        assertTrue(Files.isRegularFile(png), "missing " + png);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertTrue(image != null, png + " is not a readable PNG");
        if (width >= 0) {
            assertEquals(width, image.getWidth(), png + " width");
            assertEquals(height, image.getHeight(), png + " height");
        } else {
            assertTrue(image.getWidth() >= -width && image.getHeight() >= -height, png + " is only " + image.getWidth() + "×" + image.getHeight());
        }
    }

    private Path writeFaces(int count) throws IOException {
        Path faces = Files.createDirectories(dir.resolve("data/faces"));
        Rng rng = new Rng(5);
        Tensor images = Tensor.zeros(DType.F64, count, 32, 32);
        Tensor targets = Tensor.zeros(DType.F64, count, 2);
        for (int i = 0; i < count; i++) {
            int actor = i % 6;
            targets.set(2 * i, actor);
            targets.set(2 * i + 1, actor < 3 ? 0 : 1);
            for (int p = 0; p < 1024; p++) {
                images.set(i * 1024 + p, (p / 32 / 6 == actor ? 200 : 40) + rng.nextInt(40));
            }
        }
        io.simdnet.engine.data.Npy.write(faces.resolve("data.npy"), images);
        io.simdnet.engine.data.Npy.writeInt64(faces.resolve("target.npy"), targets);
        return dir.resolve("data");
    }

    @Test
    void facesRunsTheFiveSettingsAsASweepWithEveryPicture() throws IOException {
        Path data = writeFaces(120);
        assertEquals(0, run("faces", "--data", data.toString(), "--out", dir.resolve("runs").toString(), "--steps", "3", "--no-progress"));
        Path run = runFolders().get(0);
        assertEquals(2 + 5, Files.readString(run.resolve("sweep.md")).lines().count(), Files.readString(run.resolve("sweep.md")));
        assertTrue(Files.readString(run.resolve("output_shapes.txt")).contains("30×30"));
        for (String png : List.of("sweep.png", "class_histogram.png", "setting1_loss.png", "setting5_accuracy.png")) {
            assertPng(run.resolve(png), 900, 540);
        }
        assertPng(run.resolve("samples.png"), -5 * 96, -5 * 96);
        assertPng(run.resolve("kernels.png"), -8 * 70, -70);
        assertPng(run.resolve("feature_maps.png"), -8 * 96, -96);
        assertPng(run.resolve("test_predictions.png"), -96, -96);
        assertTrue(Files.isRegularFile(run.resolve("weights.safetensors")));
        assertTrue(Files.readString(run.resolve("setting3_metrics.csv")).lines().count() >= 2);
    }

    @Test
    void facesGenderTaskRunsOneSettingInEpochs() throws IOException {
        Path data = writeFaces(60);
        assertEquals(0, run("faces", "--data", data.toString(), "--out", dir.resolve("runs").toString(), "--task", "gender", "--setting", "2",
                "--epochs", "2", "--batch-size", "16", "--no-progress", "--profile"));
        Path run = runFolders().get(0);
        assertEquals(2 + 1, Files.readString(run.resolve("sweep.md")).lines().count());
        assertTrue(Files.readString(run.resolve("setting2_metrics.csv")).lines().count() == 3, "header and 2 epochs");
        assertTrue(Files.readString(run.resolve("setting2_profile.csv")).contains("\nconv2d,forward,"));
    }

    @Test
    void facesWithoutDataSaysInOneLineWhereToPutTheFiles() throws IOException {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(2, cli.execute("faces", "--data", empty.toString(), "--out", dir.resolve("runs").toString()));
        String message = err.toString().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("data.npy") && message.contains("target.npy") && message.contains(empty.toString()), message);
    }

    @Test
    void facesSyntheticStandInIsLearnable() throws IOException {
        Path synthetic = dir.resolve("synthetic");
        assertEquals(0, run("faces", "--write-synthetic", synthetic.toString()));
        assertEquals(io.simdnet.engine.tensor.Shape.of(936, 32, 32), io.simdnet.engine.data.Npy.read(synthetic.resolve("data.npy")).shape());
        assertEquals(0, run("faces", "--data", synthetic.toString(), "--out", dir.resolve("runs").toString(), "--setting", "1", "--steps", "60",
                "--no-progress"));
        String table = Files.readString(runFolders().get(0).resolve("sweep.csv"));
        double accuracy = Double.parseDouble(table.lines().skip(1).findFirst().orElseThrow().split(",")[7]);
        assertTrue(accuracy > 0.5, "6 classes, chance 0.17: " + table);
    }

    @Test
    void backpropDemoAgreesWithFiniteDifferences() {
        StringWriter out = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("backprop-demo", "--steps", "10"));
        // Rows of the gradient table: parameter, analytic, numeric (centred difference), engine, relative error.
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("([Wb][12]\\[\\d](?:\\[\\d])?)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)");
        List<String> parameters = new ArrayList<>();
        for (String line : out.toString().lines().toList()) {
            java.util.regex.Matcher m = row.matcher(line);
            if (!m.matches()) {
                continue;
            }
            parameters.add(m.group(1));
            double analytic = Double.parseDouble(m.group(2));
            double numeric = Double.parseDouble(m.group(3));
            double engine = Double.parseDouble(m.group(4));
            // The printed values carry 9 significant digits; a centred difference with h = 1e-5 is good to ~1e-10.
            double tolerance = 1e-6 * (Math.abs(numeric) + Math.abs(engine)) + 1e-11;
            assertEquals(numeric, engine, tolerance, "engine gradient of " + m.group(1) + " against the finite difference:\n" + out);
            assertEquals(numeric, analytic, tolerance, "hand gradient of " + m.group(1) + " against the finite difference:\n" + out);
        }
        // 2×3 W1, 3 b1, 3×1 W2, 1 b2: every parameter of the network has its row.
        assertEquals(List.of("W1[0][0]", "W1[0][1]", "W1[0][2]", "W1[1][0]", "W1[1][1]", "W1[1][2]", "b1[0]", "b1[1]", "b1[2]", "W2[0][0]", "W2[1][0]",
                "W2[2][0]", "b2[0]"), parameters, out.toString());
    }

    @Test
    void badOptionsAreRejectedWithAClearMessage() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("lenet5", "--epochs", "0", "--out", dir.toString()));
        assertTrue(err.toString().contains("--epochs must be positive, got 0"), err.toString());
        assertEquals(2, cli.execute("lenet5", "--bogus"));
        assertTrue(err.toString().contains("Unknown option: '--bogus'"), err.toString());
        assertEquals(2, cli.execute("cifar-best", "--dataset", "imagenet"));
        assertTrue(err.toString().contains("expected cifar10 or cifar100-coarse"), err.toString());
        assertEquals(2, cli.execute("download", "imagenet", "--dir", dir.toString()));
        assertTrue(err.toString().contains("unknown dataset 'imagenet'"), err.toString());
        assertEquals(2, cli.execute("mnist-mlp", "--data", dir.resolve("nowhere").toString()));
        assertTrue(err.toString().contains("nowhere"), err.toString());
    }
}
