package io.simdnet.cli;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Standardizer;
import io.simdnet.engine.io.Checkpoint;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.Regularizer;
import io.simdnet.engine.layer.WeightedLayer;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.LearningRateSchedule;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.Accuracy;
import io.simdnet.engine.train.Callback;
import io.simdnet.engine.train.ConfusionMatrix;
import io.simdnet.engine.train.EpochLogger;
import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.Evaluation;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.LearningRateScheduler;
import io.simdnet.engine.train.ModelFitter;
import io.simdnet.engine.train.NonFiniteLossException;
import io.simdnet.engine.train.Trainer;
import io.simdnet.engine.train.TrainingInterruptedException;
import io.simdnet.engine.train.TrainingSetup;
import io.simdnet.kernel.KernelPool;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One classification experiment end to end: summary, training with validation, test evaluation, and the run
 * folder (metrics CSV and JSON, loss and accuracy curves, confusion matrix, first-layer filters, misclassified
 * test images, weights).
 */
final class ClassificationRun {

    /** What the experiment measured, for tables such as the sweep's. */
    record Result(String name, History history, Evaluation test, double trainSeconds, RunFolder folder) {
        double bestValidationAccuracy() {
            return history.epochs().stream().mapToDouble(EpochLogs::validationAccuracy).filter(Double::isFinite).max().orElse(Double.NaN);
        }
    }

    private final String name;
    private final String title;
    private final TrainingOptions options;
    private final PrintStream out;
    private Standardizer standardizer;
    private boolean testEachEpoch;

    ClassificationRun(String name, String title, TrainingOptions options, PrintStream out) {
        this.name = name;
        this.title = title;
        this.options = options;
        this.out = out;
    }

    /** The training data was standardised by this: the run also draws one de-normalised training image. */
    ClassificationRun denormalizeWith(Standardizer value) {
        this.standardizer = value;
        return this;
    }

    /**
     * Evaluates the test set after every epoch for loss_vs_examples.png's markers (the PyTorch MNIST exercise's
     * figure); otherwise the markers are the validation loss.
     */
    ClassificationRun testEachEpoch(boolean value) {
        this.testEachEpoch = value;
        return this;
    }

    /** --l1 and --l2: the same penalty on every dense and convolution weight, replacing the experiment's own. */
    static void applyRegularization(Model model, TrainingOptions options, PrintStream out) {
        if (options.l1 == null && options.l2 == null) {
            return;
        }
        double l1 = options.l1 == null ? 0 : options.l1;
        double l2 = options.l2 == null ? 0 : options.l2;
        if (!(l1 >= 0) || !(l2 >= 0)) {
            throw new IllegalArgumentException("--l1 and --l2 must be >= 0, got " + l1 + " and " + l2);
        }
        Regularizer penalty = new Regularizer(l1, l2);
        for (Layer layer : model.layers()) {
            if (layer instanceof WeightedLayer<?> weighted) {
                weighted.regularizer(penalty);
            }
        }
        out.printf(Locale.ROOT, "Weight penalty on every dense and conv layer: %s·Σ|W| + %s·ΣW²%n", l1, l2);
    }

    /** Applies --threads; call before building models so kernels see the setting from the start. */
    static void configureThreads(TrainingOptions options) {
        // Every command calls this first: the place to check all options before the data is loaded.
        options.validate();
        if (options.threads != null) {
            KernelPool.setThreads(options.threads);
        }
    }

    Result run(Model model, Loss loss, Optimizer optimizer, FitOptions fit, Dataset train, Dataset validation, Dataset test,
            List<String> classNames, String source) throws Exception {
        return run(model, loss, optimizer, null, ModelFitter.LOCAL, fit, train, validation, test, classNames, source);
    }

    /** The run with the model, loss and optimiser of {@code setup}, trained by {@code fitter}. */
    Result run(TrainingSetup setup, ModelFitter fitter, FitOptions fit, Dataset train, Dataset validation, Dataset test, List<String> classNames,
            String source) throws Exception {
        return run(setup.model(options.seed), setup.loss(), setup.optimizer(), setup, fitter, fit, train, validation, test, classNames, source);
    }

    private Result run(Model model, Loss loss, Optimizer optimizer, TrainingSetup setup, ModelFitter fitter, FitOptions fit, Dataset train,
            Dataset validation, Dataset test, List<String> classNames, String source) throws Exception {
        out.println(title);
        out.println("Data: " + source + "; " + train.size() + " training, " + (validation == null ? 0 : validation.size()) + " validation, "
                + test.size() + " test samples");
        out.print(model.summary());
        RunFolder folder = options.resume != null ? RunFolder.open(options.resume, CHECKPOINT) : RunFolder.create(options.out, name);
        return StopOnSignal.around(folder.dir(),
                guard -> run(folder, guard, model, loss, optimizer, setup, fitter, fit, train, validation, test, classNames, source));
    }

    /** The run's checkpoint in its folder, written after every epoch and on SIGTERM or Ctrl-C; {@code --resume} reads it. */
    static final String CHECKPOINT = "checkpoint.safetensors";

    private Result run(RunFolder folder, StopOnSignal guard, Model model, Loss loss, Optimizer optimizer, TrainingSetup setup, ModelFitter fitter,
            FitOptions fit, Dataset train, Dataset validation, Dataset test, List<String> classNames, String source) throws Exception {
        if (options.resume == null) {
            folder.writeText("summary.txt", title + "\nData: " + source + "\n\n" + model.summary());
        } else {
            out.println("Resuming " + folder.dir() + " from " + CHECKPOINT);
            fit.resume(folder.path(CHECKPOINT));
        }
        applyRegularization(model, options, out);
        Trainer trainer = options.applyTo(new Trainer(model, loss, optimizer));
        fit.validation(validation).seed(options.seed).progressBar(!options.noProgress).checkpoint(folder.path(CHECKPOINT)).profile(options.profile);
        if (options.lrDecay != null) {
            if (!(options.lrDecay > 0 && options.lrDecay <= 1) || options.lrDecayEvery <= 0) {
                throw new IllegalArgumentException("--lr-decay must be in (0, 1] and --lr-decay-every positive, got " + options.lrDecay + " and "
                        + options.lrDecayEvery);
            }
            fit.callback(new LearningRateScheduler(new LearningRateSchedule.StepDecay(options.lrDecayEvery, options.lrDecay)));
        }
        if (options.noProgress) {
            fit.callback(new EpochLogger(out));
        }
        List<Double> testLosses = new ArrayList<>();
        if (testEachEpoch) {
            fit.callback(new Callback() {
                @Override
                public void onEpochEnd(Trainer t, EpochLogs logs) {
                    testLosses.add(t.evaluate(test, 500).loss());
                }
            });
        }
        guard.attach(trainer);
        long start = System.nanoTime();
        History history;
        try {
            history = fitter.fit(trainer, setup, train, fit);
        } catch (NonFiniteLossException | TrainingInterruptedException e) {
            throw RunFailedException.ended(e, folder, name);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation testResult = trainer.evaluate(test, 500);
        out.printf(Locale.ROOT, "Test loss %.4f, test accuracy %.4f (%d samples); training took %.1f s%n", testResult.loss(),
                testResult.accuracy(), testResult.samples(), seconds);

        Tensor outputs = trainer.predict(test, 500);
        ConfusionMatrix confusion = ConfusionMatrix.of(outputs, test.targets(), classNames);
        out.print(confusion);
        folder.writeHistoryCsv(history);
        Plots.curves(history, folder, title);
        ConfusionMatrixImage.write(confusion, title + ", test set", folder.path("confusion_matrix.png"));
        writeFilters(model, folder);
        writeMisclassified(test, outputs, classNames, folder);
        Plots.lossVsExamplesSeen(history, train.size(), fit.batchSize(), testEachEpoch ? testLosses : null, title, folder.path("loss_vs_examples.png"));
        SamplePictures.labelled(train, classNames, 25, 5, "First 25 training images", folder.path("train_samples.png"));
        SamplePictures.predictions(test, outputs, classNames, folder.path("test_predictions.png"));
        SamplePictures.featureMaps(model, test, 0, classNames, folder.path("feature_maps.png"));
        if (standardizer != null) {
            SamplePictures.denormalized(train, 0, standardizer, classNames, folder.path("denormalized_sample.png"));
        }
        Checkpoint.save(folder.path("weights.safetensors"), model, optimizer);
        folder.writeText("confusion_matrix.txt", confusion.toString());

        Result result = new Result(name, history, testResult, seconds, folder);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", name);
        metrics.put("data", source);
        metrics.put("train_samples", train.size());
        metrics.put("validation_samples", validation == null ? 0 : validation.size());
        metrics.put("test_samples", test.size());
        metrics.put("epochs", history.epochs().size());
        metrics.put("optimizer", optimizer.name());
        metrics.put("seed", options.seed);
        metrics.put("threads", KernelPool.threads());
        metrics.put("micro_batches", trainer.microBatchesFor(fit.batchSize()));
        metrics.put("parameters", model.trainableParameters().stream().mapToLong(p -> p.value().size()).sum());
        metrics.put("train_seconds", seconds);
        metrics.put("test_loss", testResult.loss());
        metrics.put("test_accuracy", testResult.accuracy());
        metrics.put("final_validation_accuracy", history.last().validationAccuracy());
        metrics.put("best_validation_accuracy", result.bestValidationAccuracy());
        CpuInfo.record(metrics);
        metrics.putAll(fitter.metrics());
        folder.writeJson("metrics.json", metrics);
        folder.writeProfile(history.profile(), "", out);
        out.println("Run folder: " + folder.dir().toAbsolutePath());
        return result;
    }

    /** The first layer with weights, one tile per unit or filter (at most 64). */
    private static void writeFilters(Model model, RunFolder folder) throws IOException {
        for (Layer layer : model.layers()) {
            if (layer instanceof Conv2d conv) {
                Tensor w = conv.parameters().get(0).value();
                int filters = w.shape().dim(0);
                int channels = w.shape().dim(1);
                int kh = w.shape().dim(2);
                int kw = w.shape().dim(3);
                List<ImageGrid.Tile> tiles = new ArrayList<>();
                for (int f = 0; f < Math.min(filters, 64); f++) {
                    int shown = channels == 3 ? 3 : 1;
                    float[] pixels = new float[shown * kh * kw];
                    for (int i = 0; i < pixels.length; i++) {
                        pixels[i] = (float) w.get(f * channels * kh * kw + i);
                    }
                    tiles.add(new ImageGrid.Tile(pixels, shown, kh, kw, ""));
                }
                ImageGrid.write(tiles, 8, Math.max(4, 48 / kh), "First-layer filters (" + layer.name() + ")", folder.path("filters.png"));
                return;
            }
            if (layer instanceof Dense dense) {
                Shape in = model.inputShape();
                Tensor w = dense.parameters().get(0).value();
                int inputs = w.shape().dim(0);
                int units = w.shape().dim(1);
                boolean image = in.rank() == 3 && (in.dim(0) == 1 || in.dim(0) == 3) && in.size() == inputs;
                int channels = image ? in.dim(0) : 1;
                int h = image ? in.dim(1) : 1;
                int wd = image ? in.dim(2) : inputs;
                if (!image) {
                    int side = (int) Math.round(Math.sqrt(inputs));
                    if (side * side != inputs) {
                        return;
                    }
                    h = side;
                    wd = side;
                }
                List<ImageGrid.Tile> tiles = new ArrayList<>();
                for (int u = 0; u < Math.min(units, 64); u++) {
                    float[] pixels = new float[inputs];
                    for (int i = 0; i < inputs; i++) {
                        pixels[i] = (float) w.get(i * units + u);
                    }
                    tiles.add(new ImageGrid.Tile(pixels, channels, h, wd, ""));
                }
                ImageGrid.write(tiles, 8, Math.max(2, 64 / h), "First-layer weights (" + layer.name() + ")", folder.path("filters.png"));
                return;
            }
        }
    }

    private static void writeMisclassified(Dataset test, Tensor outputs, List<String> classNames, RunFolder folder) throws IOException {
        Shape sample = test.sampleShape();
        if (sample.rank() != 3) {
            return;
        }
        int classes = classNames.size();
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int i = 0; i < test.size() && tiles.size() < 40; i++) {
            int predicted = Accuracy.argmax(outputs, i * classes, classes);
            int truth = (int) test.targets().get(i);
            if (predicted != truth) {
                float[] pixels = SamplePictures.pixels(test, i);
                tiles.add(new ImageGrid.Tile(pixels, sample.dim(0), sample.dim(1), sample.dim(2), shortName(classNames.get(truth)) + "→"
                        + shortName(classNames.get(predicted))));
            }
        }
        ImageGrid.write(tiles, 8, 3, "Misclassified test images: true → predicted", folder.path("misclassified.png"));
    }

    private static String shortName(String name) {
        return name.length() <= 9 ? name : name.substring(0, 8) + ".";
    }
}
