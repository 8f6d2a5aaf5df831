package io.simdnet.cli;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Standardizer;
import io.simdnet.engine.io.Checkpoint;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.EpochLogger;
import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.Evaluation;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;
import io.simdnet.engine.train.TrainingInterruptedException;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.file.Files;
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

@Command(name = "faces", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "The TensorFlow course's face/gender convnet on 32×32 greyscale faces (data.npy, target.npy): conv 32 5×5 ReLU, "
                + "max-pool 3×3 stride 2, dense 384 ReLU, dense 192 ReLU, dropout, dense n_classes; Adam on softmax cross-entropy; "
                + "80/10/10 split with the seed, standardised with the training split's mean and std. Without --setting, runs the five settings as a sweep (one table, one figure).")
final class FacesCommand implements Callable<Integer> {

    /** One of the course's hyperparameter settings. */
    record Setting(int number, double learningRate, int steps, int batchSize, double dropout) {
        String label() {
            return String.format(Locale.ROOT, "setting %d: lr %.0e, %d steps, batch %d, dropout %.1f", number, learningRate, steps, batchSize, dropout);
        }
    }

    /** The five settings the exercise reports: learning rate 1e-3 or 1e-4, 1,000-5,000 steps, batch 32-256, dropout 0.5 or 0.2. */
    static final List<Setting> SETTINGS = List.of(
            new Setting(1, 1e-3, 1000, 128, 0.5),
            new Setting(2, 1e-4, 1000, 128, 0.5),
            new Setting(3, 1e-3, 2000, 32, 0.5),
            new Setting(4, 1e-3, 3000, 256, 0.2),
            new Setting(5, 1e-4, 5000, 256, 0.2));

    /** The run folder's sub-folder of per-setting checkpoints; {@code --resume} continues from them. */
    static final String SETTINGS_FOLDER = "settings";

    @Mixin
    TrainingOptions options;

    @Mixin
    NormalizeOption normalize;

    @Option(names = "--task", description = "name (which of the actors) or gender (default: ${DEFAULT-VALUE}).")
    String task = "name";

    @Option(names = "--setting", paramLabel = "1..5", description = "Run only this setting (default: all five, as a sweep).")
    Integer setting;

    @Option(names = "--steps", paramLabel = "N", description = "Optimiser steps for every setting run (default: the setting's; --epochs counts in epochs instead).")
    Integer steps;

    @Option(names = "--write-synthetic", paramLabel = "DIR",
            description = "Write a stand-in data set in the course's format (936 faces of 6 synthetic actors) into DIR and stop.")
    Path writeSynthetic;

    private record Row(Setting setting, History history, Evaluation test, double seconds, Model model) {
        double bestValidation() {
            return history.epochs().stream().mapToDouble(EpochLogs::validationAccuracy).max().orElse(Double.NaN);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (writeSynthetic != null) {
            FacesData.writeSynthetic(writeSynthetic, 936, options.seed);
            System.out.println("Wrote data.npy, target.npy and names.txt (936 synthetic faces) into " + writeSynthetic.toAbsolutePath());
            return 0;
        }
        FacesData.Task which = switch (task) {
            case "name" -> FacesData.Task.NAME;
            case "gender" -> FacesData.Task.GENDER;
            default -> throw new IllegalArgumentException("--task: expected name or gender, got '" + task + "'");
        };
        if (setting != null && (setting < 1 || setting > SETTINGS.size())) {
            throw new IllegalArgumentException("--setting: expected 1 to " + SETTINGS.size() + ", got " + setting);
        }
        if (steps != null && steps <= 0) {
            throw new IllegalArgumentException("--steps must be positive, got " + steps);
        }
        options.resumeMarker = SETTINGS_FOLDER;
        ClassificationRun.configureThreads(options);
        FacesData.Faces faces = FacesData.load(options.data, which);
        Dataset all = faces.data();
        if (options.limit != null) {
            all = DataSplits.rows(all, 0, Math.min(options.limit, all.size()));
        }
        List<Dataset> parts = DataSplits.split(all, options.seed, 0.8, 0.1, 0.1);
        Dataset train = parts.get(0);
        Dataset validation = parts.get(1);
        Dataset test = parts.get(2);
        if (!normalize.off) {
            Standardizer standardizer = Standardizer.fit(train);
            train = standardizer.standardize(train);
            validation = standardizer.standardize(validation);
            test = standardizer.standardize(test);
            System.out.printf(Locale.ROOT, "Standardised with the training split's mean %.4f and std %.4f%n", standardizer.mean()[0],
                    standardizer.std()[0]);
        }
        List<String> names = faces.classNames();
        System.out.println("Data: " + faces.source() + "; " + train.size() + " training, " + validation.size() + " validation, " + test.size()
                + " test images");
        RunFolder folder = options.resume != null ? RunFolder.open(options.resume, SETTINGS_FOLDER) : RunFolder.create(options.out, "faces-" + task);
        Files.createDirectories(folder.path(SETTINGS_FOLDER));

        String shapes = OutputShapes.answers();
        System.out.print(shapes);
        folder.writeText("output_shapes.txt", shapes);
        SamplePictures.labelled(train, names, 25, 5, "25 training faces", folder.path("samples.png"));
        Map<String, int[]> counts = new LinkedHashMap<>();
        counts.put("train", classCounts(train, names.size()));
        counts.put("validation", classCounts(validation, names.size()));
        counts.put("test", classCounts(test, names.size()));
        Plots.classHistogram(counts, names, "Faces per class (" + task + ")", folder.path("class_histogram.png"));

        List<Setting> chosen = setting == null ? SETTINGS : List.of(SETTINGS.get(setting - 1));
        Dataset trainSet = train;
        Dataset validationSet = validation;
        Dataset testSet = test;
        List<Row> rows = StopOnSignal.around(folder.dir(), guard -> {
            List<Row> done = new ArrayList<>();
            for (Setting s : chosen) {
                done.add(trainSetting(s, names, trainSet, validationSet, testSet, folder, guard, done.isEmpty(), faces.source()));
            }
            return done;
        });
        Row best = rows.stream().max((a, b) -> Double.compare(a.bestValidation(), b.bestValidation())).orElseThrow();
        writeKernels(best, folder);
        Tensor outputs = best.model().predict(testSet.inputs(), 256);
        SamplePictures.predictions(testSet, outputs, names, folder.path("test_predictions.png"));
        SamplePictures.featureMaps(best.model(), testSet, 0, names, folder.path("feature_maps.png"));
        Checkpoint.save(folder.path("weights.safetensors"), best.model());
        writeTable(rows, folder);
        System.out.println("Run folder: " + folder.dir().toAbsolutePath());
        return 0;
    }

    /**
     * Trains one setting with its own checkpoint in settings/ (every epoch and on SIGTERM or Ctrl-C), resuming it when
     * the run folder has one: a setting that finished in an earlier run comes back from its checkpoint at once, weights
     * and history, and one that was stopped continues where it stopped.
     */
    private Row trainSetting(Setting s, List<String> names, Dataset train, Dataset validation, Dataset test, RunFolder folder, StopOnSignal guard,
            boolean first, String source) throws IOException {
        Model model = network(names.size(), s.dropout(), options.seed);
        if (first) {
            System.out.print(model.summary());
            folder.writeText("summary.txt", source + "\n\n" + model.summary());
        }
        Trainer trainer = options.applyTo(new Trainer(model, new SoftmaxCrossEntropy(), new Adam(options.learningRateOr(s.learningRate()))));
        int batch = options.batchSizeOr(s.batchSize());
        Path checkpoint = folder.path(SETTINGS_FOLDER).resolve("setting" + s.number() + ".safetensors");
        FitOptions fit = new FitOptions().batchSize(batch).seed(options.seed).validation(validation).progressBar(!options.noProgress)
                .checkpoint(checkpoint).profile(options.profile);
        if (Files.isRegularFile(checkpoint)) {
            fit.resume(checkpoint);
        }
        if (options.epochs != null && steps == null) {
            fit.epochs(options.epochsOr(1));
        } else {
            fit.steps(steps != null ? steps : s.steps());
        }
        if (options.noProgress) {
            fit.callback(new EpochLogger(System.out));
        }
        System.out.println(s.label() + (Files.isRegularFile(checkpoint) ? " (resumed from " + folder.dir().relativize(checkpoint) + ")" : ""));
        guard.attach(trainer);
        History history;
        try {
            history = trainer.fit(train, fit);
        } catch (TrainingInterruptedException e) {
            throw RunFailedException.ended(e, folder, "faces-" + task);
        }
        // Training time from the epochs' own clocks, so a setting restored from its checkpoint reports the time it took then.
        double seconds = history.epochs().stream().mapToDouble(EpochLogs::seconds).sum();
        Evaluation result = trainer.evaluate(test, 256);
        Row row = new Row(s, history, result, seconds, model);
        System.out.printf(Locale.ROOT, "setting %d: %d steps (%d epochs), test accuracy %.4f, test loss %.4f, best val acc %.4f (%.1f s)%n",
                s.number(), history.stepLosses().length, history.epochs().size(), result.accuracy(), result.loss(), row.bestValidation(), seconds);
        String prefix = "setting" + s.number() + "_";
        Plots.curves(history, folder, "Faces (" + task + "), " + s.label(), prefix);
        folder.writeHistoryCsv(history, prefix);
        folder.writeProfile(history.profile(), prefix, System.out);
        return row;
    }

    /** The exercise's network; max-pool 3×3 stride 2 padding 1 gives TensorFlow's 'SAME' output size (16×16 from 32×32). */
    static Model network(int classes, double dropout, long seed) {
        return Sequential.input(1, FacesData.SIDE, FacesData.SIDE)
                .add(new Conv2d(32, 5).padding(Padding.same()).relu())
                .add(new MaxPool2d(3, 2, 1))
                .add(new Flatten())
                .add(new Dense(384)).add(new Relu())
                .add(new Dense(192)).add(new Relu())
                .add(new Dropout(dropout))
                .add(new Dense(classes))
                .build(DType.F32, seed);
    }

    private static int[] classCounts(Dataset data, int classes) {
        int[] counts = new int[classes];
        for (int i = 0; i < data.size(); i++) {
            counts[(int) data.targets().get(i)]++;
        }
        return counts;
    }

    /** kernels.png: 8 of the first convolution's learned 5×5 kernels, from the best setting. */
    private static void writeKernels(Row best, RunFolder folder) throws IOException {
        Tensor w = best.model().parameter("conv2d.weight").value();
        int taps = w.shape().dim(2) * w.shape().dim(3);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int f = 0; f < 8; f++) {
            float[] pixels = new float[taps];
            for (int i = 0; i < taps; i++) {
                pixels[i] = (float) w.get(f * taps + i);
            }
            tiles.add(new ImageGrid.Tile(pixels, 1, w.shape().dim(2), w.shape().dim(3), "kernel " + f));
        }
        ImageGrid.write(tiles, 8, 14, "8 learned 5×5 kernels (setting " + best.setting().number() + ")", folder.path("kernels.png"));
    }

    private void writeTable(List<Row> rows, RunFolder folder) throws IOException {
        StringBuilder table = new StringBuilder("| setting | learning rate | steps | batch | dropout | epochs | best val acc | test acc | test loss | seconds |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("setting,learning_rate,steps,batch_size,dropout,epochs,best_val_accuracy,test_accuracy,test_loss,seconds\n");
        Map<String, double[]> curves = new LinkedHashMap<>();
        List<Map<String, Object>> json = new ArrayList<>();
        for (Row r : rows) {
            Setting s = r.setting();
            int done = r.history().stepLosses().length;
            int batch = options.batchSizeOr(s.batchSize());
            table.append(String.format(Locale.ROOT, "| %d | %.0e | %d | %d | %.1f | %d | %.4f | %.4f | %.4f | %.1f |%n", s.number(),
                    options.learningRateOr(s.learningRate()), done, batch, s.dropout(), r.history().epochs().size(), r.bestValidation(),
                    r.test().accuracy(), r.test().loss(), r.seconds()));
            csv.append(String.format(Locale.ROOT, "%d,%g,%d,%d,%g,%d,%.6f,%.6f,%.6f,%.2f%n", s.number(), options.learningRateOr(s.learningRate()), done,
                    batch, s.dropout(), r.history().epochs().size(), r.bestValidation(), r.test().accuracy(), r.test().loss(), r.seconds()));
            curves.put("setting " + s.number(), r.history().epochs().stream().mapToDouble(EpochLogs::validationAccuracy).toArray());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("setting", s.number());
            m.put("steps", done);
            m.put("test_accuracy", r.test().accuracy());
            m.put("test_loss", r.test().loss());
            m.put("best_validation_accuracy", r.bestValidation());
            m.put("train_seconds", r.seconds());
            json.add(m);
        }
        System.out.print(table);
        folder.writeText("sweep.md", table.toString());
        folder.writeText("sweep.csv", csv.toString());
        Plots.compare(curves, "Faces (" + task + "): validation accuracy per setting", "validation accuracy", folder.path("sweep.png"));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", "faces-" + task);
        metrics.put("seed", options.seed);
        metrics.put("settings", json);
        CpuInfo.record(metrics);
        folder.writeJson("metrics.json", metrics);
    }
}
