package io.simdnet.examples;

import io.simdnet.engine.data.Cifar;
import io.simdnet.engine.data.DataLocator;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Hdf5;
import io.simdnet.engine.data.Npy;
import io.simdnet.engine.init.Initializer;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.io.Checkpoint;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Regularizer;
import io.simdnet.engine.layer.Sigmoid;
import io.simdnet.engine.layer.SparsityPenalty;
import io.simdnet.engine.loss.MeanSquaredError;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.engine.tensor.DType;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.Callback;
import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sparse-autoencoder", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Sparse autoencoder 256-64-256 (sigmoid) on 16×16 grayscale patches, cost 1/(2N)·Σ‖x − x̂‖² + λ/2·ΣW² + β·ΣKL(ρ‖ρ̂), "
                + "Glorot-uniform init, full-batch training (gradient descent or Adam). Without --patches it samples 10,240 patches "
                + "from CIFAR images (CIFAR-100 here).")
final class SparseAutoencoderCommand implements Callable<Integer> {

    private static final int SIDE = 16;

    @Mixin
    TrainingOptions options;

    @Option(names = "--patches", paramLabel = "FILE",
            description = "Patches in a .npy or .h5 file: grayscale (N, 256) or (N, 16, 16), used as they are, or RGB (N, 3, 16, 16) "
                    + "pixels, preprocessed as the course does.")
    Path patches;

    @Option(names = "--patches-dataset", paramLabel = "NAME", description = "The dataset inside an .h5 file (default: its only or first dataset).")
    String patchesDataset;

    @Option(names = "--count", description = "Patches to sample from CIFAR (default: ${DEFAULT-VALUE}).")
    int count = 10_240;

    @Option(names = "--optimizer", description = "gd (full-batch gradient descent) or adam (default: ${DEFAULT-VALUE}).")
    String optimizer = "adam";

    @Option(names = "--lambda", description = "Weight decay λ (default: ${DEFAULT-VALUE}).")
    double lambda = 5e-4;

    @Option(names = "--beta", description = "Sparsity weight β (default: ${DEFAULT-VALUE}).")
    double beta = 0.01;

    @Option(names = "--rho", description = "Target mean activation ρ (default: ${DEFAULT-VALUE}).")
    double rho = 0.05;

    @Override
    public Integer call() throws Exception {
        if (!optimizer.equals("gd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("--optimizer must be gd or adam, got '" + optimizer + "'");
        }
        if (count <= 0) {
            throw new IllegalArgumentException("--count must be positive, got " + count);
        }
        ClassificationRun.configureThreads(options);
        Tensor x = patches != null ? loadPatches(patches) : samplePatches();
        int n = x.batch();
        Model model = Sequential.input(SIDE * SIDE)
                .add(new Dense(64).weightInit(new Initializer.GlorotUniform()).regularizer(Regularizer.l2(lambda / 2)))
                .add(new Sigmoid())
                .add(new SparsityPenalty(rho, beta))
                .add(new Dense(SIDE * SIDE).weightInit(new Initializer.GlorotUniform()).regularizer(Regularizer.l2(lambda / 2)))
                .add(new Sigmoid())
                .build(DType.F32, options.seed);
        System.out.print(model.summary());
        int epochs = options.epochsOr(optimizer.equals("gd") ? 2000 : 400);
        Optimizer opt = optimizer.equals("gd") ? new Sgd(options.learningRateOr(3.0)) : new Adam(options.learningRateOr(0.01));
        RunFolder folder = options.resume != null ? RunFolder.open(options.resume, ClassificationRun.CHECKPOINT)
                : RunFolder.create(options.out, "sparse-autoencoder-" + optimizer);
        return StopOnSignal.around(folder.dir(), guard -> train(folder, guard, model, opt, x, n, epochs));
    }

    private int train(RunFolder folder, StopOnSignal guard, Model model, Optimizer opt, Tensor x, int n, int epochs) throws java.io.IOException {
        Trainer trainer = new Trainer(model, MeanSquaredError.halfSumPerSample(), opt);
        guard.attach(trainer);
        // An iteration is one full-batch epoch: a checkpoint every twentieth of the run, not every iteration.
        FitOptions fit = new FitOptions().epochs(epochs).batchSize(n).shuffle(false).checkpoint(folder.path(ClassificationRun.CHECKPOINT))
                .checkpointEvery(Math.max(1, epochs / 20));
        if (options.resume != null) {
            System.out.println("Resuming " + folder.dir() + " from " + ClassificationRun.CHECKPOINT);
            fit.resume(folder.path(ClassificationRun.CHECKPOINT));
        }
        long start = System.nanoTime();
        History history;
        try {
            history = trainer.fit(new Dataset(x, x), fit.callback(new Callback() {
            @Override
            public void onEpochEnd(Trainer t, EpochLogs logs) {
                if (logs.epoch() == 0 || (logs.epoch() + 1) % Math.max(1, epochs / 10) == 0) {
                    System.out.printf(Locale.ROOT, "iteration %d/%d  cost J %.5f%n", logs.epoch() + 1, epochs, logs.trainLoss());
                }
            }
        }));
        } catch (io.simdnet.engine.train.NonFiniteLossException | io.simdnet.engine.train.TrainingInterruptedException e) {
            throw RunFailedException.ended(e, folder, "sparse-autoencoder");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double finalCost = trainer.evaluate(new Dataset(x, x), n).loss();
        System.out.printf(Locale.ROOT, "Final cost J %.5f after %d iterations (%.1f s)%n", finalCost, epochs, seconds);

        folder.writeHistoryCsv(history);
        Plots.curves(history, folder, "Sparse autoencoder (" + optimizer + ")");
        writeHiddenUnits(model, folder);
        writeReconstructions(model, x, folder);
        Checkpoint.save(folder.path("weights.safetensors"), model, opt);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", "sparse-autoencoder");
        metrics.put("optimizer", optimizer);
        metrics.put("patches", n);
        metrics.put("iterations", epochs);
        metrics.put("lambda", lambda);
        metrics.put("beta", beta);
        metrics.put("rho", rho);
        metrics.put("final_cost", finalCost);
        metrics.put("train_seconds", seconds);
        metrics.put("cpu_family", CpuInfo.family());
        folder.writeJson("metrics.json", metrics);
        System.out.println("Run folder: " + folder.dir().toAbsolutePath());
        return 0;
    }

    private Tensor loadPatches(Path file) throws java.io.IOException {
        Tensor t;
        if (file.getFileName().toString().endsWith(".h5")) {
            List<String> names = Hdf5.datasets(file);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("--patches " + file + ": the file holds no dataset");
            }
            t = Hdf5.read(file, patchesDataset != null ? patchesDataset : names.get(0));
        } else {
            t = Npy.read(file);
        }
        int n = t.batch();
        if (t.size() == n * SIDE * SIDE) {
            return t.to(DType.F32).view(io.simdnet.engine.tensor.Shape.of(n, SIDE * SIDE));
        }
        if (t.shape().rank() == 4 && t.size() == n * 3 * SIDE * SIDE && t.shape().dim(1) == 3) {
            float[] rgb = new float[t.size()];
            double max = 0;
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (float) t.get(i);
                max = Math.max(max, rgb[i]);
            }
            // Pixels as bytes (0..255) or already in [0, 1]; the luminance is taken in [0, 1] either way.
            return preprocess(n, rgb, max > 1 ? 255 : 1, (p, y, x) -> p * 3 * SIDE * SIDE + y * SIDE + x, SIDE * SIDE);
        }
        throw new IllegalArgumentException("--patches " + file + ": expected shape (N, 256), (N, 16, 16) or (N, 3, 16, 16), got " + t.shape());
    }

    /** Where pixel (y, x) of patch p's red plane lies; green and blue follow one plane further each. */
    private interface PixelIndex {
        int of(int patch, int y, int x);
    }

    /**
     * Random 16×16 windows of random CIFAR training images, as the course's patch file was made: luminance
     * 0.2126R + 0.7152G + 0.0722B, each patch's mean removed, values clipped to ±3σ (σ over all patches) and
     * mapped to [0.1, 0.9].
     */
    private Tensor samplePatches() throws java.io.IOException {
        Path dir = DataLocator.locate("cifar-100", options.data, List.of("train.bin"));
        Cifar.Batch images = Cifar.read(DataSources.file(dir, "train.bin"), Cifar.Format.CIFAR100);
        System.out.println("Sampling " + count + " patches from CIFAR-100 in " + dir);
        Rng rng = new Rng(options.seed);
        int[] image = new int[count];
        int[] top = new int[count];
        int[] left = new int[count];
        for (int p = 0; p < count; p++) {
            image[p] = rng.nextInt(images.images().batch());
            top[p] = rng.nextInt(32 - SIDE + 1);
            left[p] = rng.nextInt(32 - SIDE + 1);
        }
        float[] pixels = images.images().floats();
        return preprocess(count, pixels, 255, (p, y, x) -> image[p] * 3 * 32 * 32 + (top[p] + y) * 32 + left[p] + x, 32 * 32);
    }

    /**
     * The course's preprocessing of RGB patches: luminance 0.2126R + 0.7152G + 0.0722B (pixels divided by
     * {@code scale}), each patch's mean removed, values clipped to ±3σ (σ over all patches) and mapped to [0.1, 0.9].
     */
    private static Tensor preprocess(int count, float[] rgb, double scale, PixelIndex index, int plane) {
        float[] values = new float[count * SIDE * SIDE];
        for (int p = 0; p < count; p++) {
            double mean = 0;
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int at = index.of(p, y, x);
                    double lum = (0.2126 * rgb[at] + 0.7152 * rgb[at + plane] + 0.0722 * rgb[at + 2 * plane]) / scale;
                    values[p * SIDE * SIDE + y * SIDE + x] = (float) lum;
                    mean += lum;
                }
            }
            mean /= SIDE * SIDE;
            for (int i = 0; i < SIDE * SIDE; i++) {
                values[p * SIDE * SIDE + i] -= (float) mean;
            }
        }
        double sumSquares = 0;
        for (float v : values) {
            sumSquares += v * v;
        }
        double limit = 3 * Math.sqrt(sumSquares / values.length);
        for (int i = 0; i < values.length; i++) {
            double clipped = Math.max(-limit, Math.min(limit, values[i])) / limit;
            values[i] = (float) ((clipped + 1) * 0.4 + 0.1);
        }
        return Tensor.of(values, count, SIDE * SIDE);
    }

    private static void writeHiddenUnits(Model model, RunFolder folder) throws java.io.IOException {
        Tensor w = model.parameter("dense.weight").value();
        int units = w.shape().dim(1);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            float[] pixels = new float[SIDE * SIDE];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) w.get(i * units + u);
            }
            tiles.add(new ImageGrid.Tile(pixels, 1, SIDE, SIDE, ""));
        }
        ImageGrid.write(tiles, 8, 4, "Hidden units: input weights", folder.path("hidden_units.png"));
    }

    private static void writeReconstructions(Model model, Tensor x, RunFolder folder) throws java.io.IOException {
        int shown = Math.min(20, x.batch());
        Tensor sample = Tensor.zeros(DType.F32, shown, SIDE * SIDE);
        for (int i = 0; i < sample.size(); i++) {
            sample.set(i, x.get(i));
        }
        Tensor out = model.predict(sample, shown);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int p = 0; p < shown; p++) {
            float[] in = new float[SIDE * SIDE];
            float[] rec = new float[SIDE * SIDE];
            for (int i = 0; i < in.length; i++) {
                in[i] = (float) sample.get(p * in.length + i);
                rec[i] = (float) out.get(p * in.length + i);
            }
            tiles.add(new ImageGrid.Tile(in, 1, SIDE, SIDE, "input"));
            tiles.add(new ImageGrid.Tile(rec, 1, SIDE, SIDE, "output"));
        }
        ImageGrid.write(tiles, 10, 4, "Patches and their reconstructions", folder.path("reconstructions.png"));
    }
}
