package io.simdnet.cli;

import io.simdnet.engine.data.Cifar;
import io.simdnet.engine.data.DataLocator;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Hdf5;
import io.simdnet.engine.data.Npy;
import io.simdnet.engine.data.Uint8Images;
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
import io.simdnet.engine.optim.Lbfgs;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.engine.profile.ProfileReport;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.Callback;
import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.FullBatchObjective;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;
import io.simdnet.kernel.DType;
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
        description = "Sparse autoencoder 256-H-256 (sigmoid, H = --hidden) on 16×16 grayscale patches, cost 1/(2N)·Σ‖x − x̂‖² + λ/2·ΣW² + "
                + "β·ΣKL(ρ‖ρ̂), Glorot-uniform init, full-batch training (gradient descent, Adam or L-BFGS), reconstructions of held-out "
                + "patches. Without --patches it samples 10,240 patches from CIFAR images (CIFAR-100 here). --compare trains hidden "
                + "sizes × λ values and draws their units side by side.")
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

    @Option(names = "--optimizer", description = "gd (full-batch gradient descent), adam, or lbfgs (full-batch L-BFGS, as the course's "
            + "minFunc) (default: ${DEFAULT-VALUE}).")
    String optimizer = "adam";

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden = 64;

    @Option(names = "--lambda", description = "Weight decay λ (default: ${DEFAULT-VALUE}).")
    double lambda = 5e-4;

    @Option(names = "--beta", description = "Sparsity weight β (default: ${DEFAULT-VALUE}).")
    double beta = 0.01;

    @Option(names = "--rho", description = "Target mean activation ρ (default: ${DEFAULT-VALUE}).")
    double rho = 0.05;

    @Option(names = "--held-out", paramLabel = "FRACTION", description = "Patches kept out of training, reconstructed at the end (default: ${DEFAULT-VALUE}).")
    double heldOut = 0.1;

    @Option(names = "--compare", description = "Train every hidden size of --compare-hidden with every λ of --compare-lambdas and draw their hidden "
            + "units side by side in comparison.png.")
    boolean compare;

    @Option(names = "--compare-hidden", split = ",", paramLabel = "N,...", description = "Hidden sizes for --compare (default: ${DEFAULT-VALUE}).")
    List<Integer> compareHidden = List.of(10, 60, 100);

    @Option(names = "--compare-lambdas", split = ",", paramLabel = "λ,...", description = "λ values for --compare (default: ${DEFAULT-VALUE}).")
    List<Double> compareLambdas = List.of(0.0, 1e-4, 1e-3);

    /** The patches and, when they came from RGB pixels, the first 200 of them in colour (CHW, [0, 1]). */
    private record Patches(Tensor values, List<ImageGrid.Tile> rgb) {
    }

    /** One trained autoencoder: its model, cost per iteration, and the final training and held-out costs. */
    private record Trained(Model model, Optimizer optimizer, History history, double[] costs, double cost, double heldOutCost, double seconds,
            ProfileReport profile) {
    }

    @Override
    public Integer call() throws Exception {
        if (!optimizer.equals("gd") && !optimizer.equals("adam") && !optimizer.equals("lbfgs")) {
            throw new IllegalArgumentException("--optimizer must be gd, adam or lbfgs, got '" + optimizer + "'");
        }
        if (count <= 0) {
            throw new IllegalArgumentException("--count must be positive, got " + count);
        }
        if (hidden <= 0) {
            throw new IllegalArgumentException("--hidden must be positive, got " + hidden);
        }
        if (!(heldOut >= 0 && heldOut < 1)) {
            throw new IllegalArgumentException("--held-out must be in [0, 1), got " + heldOut);
        }
        ClassificationRun.configureThreads(options);
        options.refuseResume("sparse-autoencoder keeps no checkpoint");
        Patches source = patches != null ? loadPatches(patches) : samplePatches();
        Tensor all = source.values();
        int held = (int) Math.round(all.batch() * heldOut);
        if (held > 0 && all.batch() - held < 1) {
            throw new IllegalArgumentException("--held-out " + heldOut + " leaves no training patches out of " + all.batch());
        }
        // Sampled patches come in random order (random windows of random images), so the last ones are a fair held-out set.
        Tensor x = rows(all, 0, all.batch() - held);
        Tensor test = held > 0 ? rows(all, all.batch() - held, all.batch()) : null;
        RunFolder folder = RunFolder.create(options.out, "sparse-autoencoder-" + (compare ? "comparison" : optimizer));
        if (!source.rgb().isEmpty()) {
            writeRgbAndNormalized(source, folder);
        }
        if (compare) {
            return compare(x, test, folder);
        }
        Trained run = train(x, test, hidden, lambda, true);
        System.out.printf(Locale.ROOT, "Final cost J %.5f after %d iterations (%.1f s)%s%n", run.cost(), run.costs().length, run.seconds(),
                test == null ? "" : String.format(Locale.ROOT, "; held-out cost %.5f on %d patches", run.heldOutCost(), test.batch()));
        if (run.history() != null) {
            folder.writeHistoryCsv(run.history());
            Plots.curves(run.history(), folder, "Sparse autoencoder (" + optimizer + ")");
        } else {
            Plots.compare(Map.of("cost J", run.costs()), "Sparse autoencoder (L-BFGS)", "cost J", folder.path("loss.png"));
        }
        ImageGrid.write(hiddenUnitTiles(run.model()), 8, 4, "Hidden units: input weights", folder.path("hidden_units.png"));
        writeReconstructions(run.model(), test != null ? test : x, test != null ? "Held-out patches and their reconstructions"
                : "Patches and their reconstructions", folder);
        Checkpoint.save(folder.path("weights.safetensors"), run.model(), run.optimizer());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", "sparse-autoencoder");
        metrics.put("optimizer", optimizer);
        metrics.put("patches", x.batch());
        metrics.put("held_out_patches", test == null ? 0 : test.batch());
        metrics.put("hidden", hidden);
        metrics.put("iterations", run.costs().length);
        metrics.put("lambda", lambda);
        metrics.put("beta", beta);
        metrics.put("rho", rho);
        metrics.put("final_cost", run.cost());
        metrics.put("held_out_cost", run.heldOutCost());
        metrics.put("train_seconds", run.seconds());
        CpuInfo.record(metrics);
        folder.writeJson("metrics.json", metrics);
        folder.writeProfile(run.profile(), "", System.out);
        System.out.println("Run folder: " + folder.dir().toAbsolutePath());
        return 0;
    }

    /** The hidden-size × λ comparison: one panel of hidden units per pair, rows λ, columns hidden sizes. */
    private int compare(Tensor x, Tensor test, RunFolder folder) throws java.io.IOException {
        List<java.awt.image.BufferedImage> panels = new ArrayList<>();
        StringBuilder table = new StringBuilder("| hidden | λ | cost J | held-out cost | seconds |\n|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("hidden,lambda,cost,held_out_cost,seconds\n");
        for (double l : compareLambdas) {
            if (!(l >= 0)) {
                throw new IllegalArgumentException("--compare-lambdas: λ must be >= 0, got " + l);
            }
            for (int h : compareHidden) {
                if (h <= 0) {
                    throw new IllegalArgumentException("--compare-hidden: sizes must be positive, got " + h);
                }
                Trained run = train(x, test, h, l, false);
                System.out.printf(Locale.ROOT, "hidden %d, λ %.0e: cost J %.5f, held-out %.5f (%.1f s)%n", h, l, run.cost(), run.heldOutCost(),
                        run.seconds());
                table.append(String.format(Locale.ROOT, "| %d | %.0e | %.5f | %.5f | %.1f |%n", h, l, run.cost(), run.heldOutCost(), run.seconds()));
                csv.append(String.format(Locale.ROOT, "%d,%g,%.6f,%.6f,%.2f%n", h, l, run.cost(), run.heldOutCost(), run.seconds()));
                folder.writeProfile(run.profile(), String.format(Locale.ROOT, "hidden%d-lambda%s_", h, l == 0 ? "0" : String.format(Locale.ROOT, "%.0e", l)),
                        System.out);
                int columns = (int) Math.ceil(Math.sqrt(h));
                panels.add(ImageGrid.render(hiddenUnitTiles(run.model()), columns, Math.max(1, 40 / columns), String.format(Locale.ROOT,
                        "%d hidden, λ = %s", h, l == 0 ? "0" : String.format(Locale.ROOT, "%.0e", l)), false));
            }
        }
        System.out.print(table);
        folder.writeText("comparison.md", table.toString());
        folder.writeText("comparison.csv", csv.toString());
        ImageGrid.writeSideBySide(panels, compareHidden.size(), "Hidden units by hidden size (columns) and weight decay λ (rows), " + optimizer
                + ", β " + beta + ", ρ " + rho, folder.path("comparison.png"));
        System.out.println("Run folder: " + folder.dir().toAbsolutePath());
        return 0;
    }

    private Model autoencoder(int units, double l) {
        return Sequential.input(SIDE * SIDE)
                .add(new Dense(units).weightInit(new Initializer.GlorotUniform()).regularizer(Regularizer.l2(l / 2)))
                .add(new Sigmoid())
                .add(new SparsityPenalty(rho, beta))
                .add(new Dense(SIDE * SIDE).weightInit(new Initializer.GlorotUniform()).regularizer(Regularizer.l2(l / 2)))
                .add(new Sigmoid())
                .build(DType.F32, options.seed);
    }

    private Trained train(Tensor x, Tensor test, int units, double l, boolean verbose) {
        Model model = autoencoder(units, l);
        if (verbose) {
            System.out.print(model.summary());
        }
        int n = x.batch();
        int epochs = options.epochsOr(optimizer.equals("gd") ? 2000 : 400);
        Dataset data = Dataset.of(x, x);
        long start = System.nanoTime();
        Optimizer opt = null;
        History history = null;
        double[] costs;
        ProfileReport profile = null;
        if (optimizer.equals("lbfgs")) {
            List<Double> trace = new ArrayList<>();
            // L-BFGS runs outside fit: its cost evaluations are profiled, with no steps marked (shares are of the rows' sum).
            Profiler profiler = options.profile ? new Profiler() : null;
            if (profiler != null) {
                model.profile(profiler);
                profiler.start();
            }
            try {
                new Lbfgs().minimize(model.trainableParameters(), new FullBatchObjective(model, MeanSquaredError.halfSumPerSample(), data), epochs,
                        (iteration, cost) -> {
                            trace.add(cost);
                            if (verbose && (iteration == 1 || iteration % Math.max(1, epochs / 10) == 0)) {
                                System.out.printf(Locale.ROOT, "iteration %d/%d  cost J %.5f%n", iteration, epochs, cost);
                            }
                        });
            } finally {
                if (profiler != null) {
                    profiler.stop();
                    model.profile(null);
                }
            }
            costs = trace.stream().mapToDouble(Double::doubleValue).toArray();
            profile = profiler == null ? null : profiler.report();
        } else {
            opt = optimizer.equals("gd") ? new Sgd(options.learningRateOr(3.0)) : new Adam(options.learningRateOr(0.01));
            Trainer trainer = options.applyTo(new Trainer(model, MeanSquaredError.halfSumPerSample(), opt));
            history = trainer.fit(data, new FitOptions().epochs(epochs).batchSize(n).shuffle(false).profile(options.profile).callback(new Callback() {
                @Override
                public void onEpochEnd(Trainer t, EpochLogs logs) {
                    if (verbose && (logs.epoch() == 0 || (logs.epoch() + 1) % Math.max(1, epochs / 10) == 0)) {
                        System.out.printf(Locale.ROOT, "iteration %d/%d  cost J %.5f%n", logs.epoch() + 1, epochs, logs.trainLoss());
                    }
                }
            }));
            costs = history.stepLosses();
            profile = history.profile();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Trainer evaluator = new Trainer(model, MeanSquaredError.halfSumPerSample(), new Sgd(1));
        double cost = evaluator.evaluate(data, n).loss();
        double heldOutCost = test == null ? Double.NaN : evaluator.evaluate(Dataset.of(test, test), test.batch()).loss();
        return new Trained(model, opt, history, costs, cost, heldOutCost, seconds, profile);
    }

    private static Tensor rows(Tensor t, int from, int to) {
        int width = t.size() / t.batch();
        Tensor out = Tensor.zeros(t.dtype(), to - from, width);
        Tensor.copy(t, from * width, out, 0, (to - from) * width);
        return out;
    }

    private Patches loadPatches(Path file) throws java.io.IOException {
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
            return new Patches(t.to(DType.F32).view(io.simdnet.engine.tensor.Shape.of(n, SIDE * SIDE)), List.of());
        }
        if (t.shape().rank() == 4 && t.size() == n * 3 * SIDE * SIDE && t.shape().dim(1) == 3) {
            float[] rgb = new float[t.size()];
            double max = 0;
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (float) t.get(i);
                max = Math.max(max, rgb[i]);
            }
            // Pixels as bytes (0..255) or already in [0, 1]; the luminance is taken in [0, 1] either way.
            PixelIndex index = (p, y, x) -> p * 3 * SIDE * SIDE + y * SIDE + x;
            double scale = max > 1 ? 255 : 1;
            java.util.function.IntToDoubleFunction values = i -> rgb[i];
            return new Patches(preprocess(n, values, scale, index, SIDE * SIDE), colourTiles(Math.min(200, n), values, scale, index, SIDE * SIDE));
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
    private Patches samplePatches() throws java.io.IOException {
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
        // Read from the bytes as they are: a float copy of the 50,000 images would take 600 MB.
        Uint8Images bytes = images.images();
        java.util.function.IntToDoubleFunction pixels = bytes::get;
        PixelIndex index = (p, y, x) -> image[p] * 3 * 32 * 32 + (top[p] + y) * 32 + left[p] + x;
        return new Patches(preprocess(count, pixels, 255, index, 32 * 32), colourTiles(Math.min(200, count), pixels, 255, index, 32 * 32));
    }

    /**
     * The course's preprocessing of RGB patches: luminance 0.2126R + 0.7152G + 0.0722B (pixels divided by
     * {@code scale}), each patch's mean removed, values clipped to ±3σ (σ over all patches) and mapped to [0.1, 0.9].
     */
    private static Tensor preprocess(int count, java.util.function.IntToDoubleFunction rgb, double scale, PixelIndex index, int plane) {
        float[] values = new float[count * SIDE * SIDE];
        for (int p = 0; p < count; p++) {
            double mean = 0;
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int at = index.of(p, y, x);
                    double lum = (0.2126 * rgb.applyAsDouble(at) + 0.7152 * rgb.applyAsDouble(at + plane) + 0.0722 * rgb.applyAsDouble(at + 2 * plane))
                            / scale;
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

    /** The first {@code count} patches in colour, pixels divided by {@code scale}. */
    private static List<ImageGrid.Tile> colourTiles(int count, java.util.function.IntToDoubleFunction rgb, double scale, PixelIndex index, int plane) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            float[] pixels = new float[3 * SIDE * SIDE];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        pixels[(c * SIDE + y) * SIDE + x] = (float) (rgb.applyAsDouble(index.of(p, y, x) + c * plane) / scale);
                    }
                }
            }
            tiles.add(new ImageGrid.Tile(pixels, 3, SIDE, SIDE, ""));
        }
        return tiles;
    }

    /** patches_rgb_normalized.png: the first 200 patches in colour beside what the network sees of them. */
    private static void writeRgbAndNormalized(Patches source, RunFolder folder) throws java.io.IOException {
        List<ImageGrid.Tile> normalized = new ArrayList<>();
        for (int p = 0; p < source.rgb().size(); p++) {
            float[] pixels = new float[SIDE * SIDE];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) source.values().get(p * SIDE * SIDE + i);
            }
            normalized.add(new ImageGrid.Tile(pixels, 1, SIDE, SIDE, ""));
        }
        ImageGrid.writeSideBySide(List.of(ImageGrid.render(source.rgb(), 20, 2, source.rgb().size() + " random RGB patches", true),
                ImageGrid.render(normalized, 20, 2, "normalised (luminance, mean removed, ±3σ to [0.1, 0.9])", true)), 2,
                "Patches before and after the course's preprocessing", folder.path("patches_rgb_normalized.png"));
    }

    private static List<ImageGrid.Tile> hiddenUnitTiles(Model model) {
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
        return tiles;
    }

    private static void writeReconstructions(Model model, Tensor x, String title, RunFolder folder) throws java.io.IOException {
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
        ImageGrid.write(tiles, 10, 4, title, folder.path("reconstructions.png"));
    }
}
