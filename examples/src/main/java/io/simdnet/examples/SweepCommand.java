package io.simdnet.examples;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.DType;
import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sweep", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Trains the Fashion-MNIST MLP 784-128-64-10 (dropout after each hidden layer, AdamW) over a grid of learning rates, "
                + "batch sizes, dropout rates and weight decays; prints and saves a comparison table and one plot with every "
                + "validation-accuracy curve.")
final class SweepCommand implements Callable<Integer> {

    @Mixin
    TrainingOptions options;

    @Option(names = "--lrs", split = ",", description = "Learning rates (default: ${DEFAULT-VALUE}).")
    List<Double> learningRates = List.of(3e-4, 1e-3, 3e-3);

    @Option(names = "--batch-sizes", split = ",", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes = List.of(64, 256);

    @Option(names = "--dropouts", split = ",", description = "Dropout rates (default: ${DEFAULT-VALUE}).")
    List<Double> dropouts = List.of(0.0, 0.3);

    @Option(names = "--weight-decays", split = ",", description = "AdamW weight decays (default: ${DEFAULT-VALUE}).")
    List<Double> weightDecays = List.of(0.0);

    private record Row(String label, double lr, int batch, double dropout, double weightDecay, History history, double seconds) {
        double best() {
            return history.epochs().stream().mapToDouble(EpochLogs::validationAccuracy).max().orElse(Double.NaN);
        }
    }

    @Override
    public Integer call() throws Exception {
        ClassificationRun.configureThreads(options);
        if (options.resume != null) {
            throw new IllegalArgumentException("--resume: the sweep trains many short runs and keeps no checkpoint; run it again instead");
        }
        LabeledData data = DataSources.fashionMnist(options, System.out);
        List<Dataset> parts = DataSplits.split(data.train(), options.seed, 0.8, 0.2);
        int epochs = options.epochsOr(5);
        RunFolder folder = RunFolder.create(options.out, "sweep");
        try {
            return StopOnSignal.around(folder.dir(), guard -> sweep(folder, guard, parts, epochs, data.source()));
        } catch (io.simdnet.engine.train.TrainingInterruptedException stopped) {
            throw new RunFailedException("Sweep stopped during one of its runs; " + folder.dir() + " holds nothing yet (a sweep does not resume)",
                    RunFailedException.STOPPED, stopped);
        }
    }

    private int sweep(RunFolder folder, StopOnSignal guard, List<Dataset> parts, int epochs, String source) throws java.io.IOException {
        List<Row> rows = new ArrayList<>();
        for (double lr : learningRates) {
            for (int batch : batchSizes) {
                for (double dropout : dropouts) {
                    for (double wd : weightDecays) {
                        if (!(lr > 0) || batch <= 0 || !(dropout >= 0 && dropout < 1) || !(wd >= 0)) {
                            throw new IllegalArgumentException("sweep: invalid combination lr " + lr + ", batch " + batch + ", dropout " + dropout
                                    + ", weight decay " + wd);
                        }
                        Model model = mlp(dropout, options.seed);
                        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), Adam.adamW(lr, wd));
                        guard.attach(trainer);
                        long start = System.nanoTime();
                        History history = trainer.fit(parts.get(0), new FitOptions().epochs(epochs).batchSize(batch).seed(options.seed)
                                .validation(parts.get(1)));
                        Row row = new Row(String.format(Locale.ROOT, "lr %.0e, batch %d, dropout %.1f, wd %.0e", lr, batch, dropout, wd), lr, batch,
                                dropout, wd, history, (System.nanoTime() - start) / 1e9);
                        rows.add(row);
                        System.out.printf(Locale.ROOT, "%-40s best val acc %.4f, last %.4f (%.1f s)%n", row.label(), row.best(),
                                history.last().validationAccuracy(), row.seconds());
                    }
                }
            }
        }
        StringBuilder table = new StringBuilder("| learning rate | batch | dropout | weight decay | best val acc | last val acc | last val loss | seconds |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("learning_rate,batch_size,dropout,weight_decay,best_val_accuracy,last_val_accuracy,last_val_loss,seconds\n");
        Map<String, double[]> curves = new LinkedHashMap<>();
        rows.sort((a, b) -> Double.compare(b.best(), a.best()));
        for (Row r : rows) {
            EpochLogs last = r.history().last();
            table.append(String.format(Locale.ROOT, "| %.0e | %d | %.1f | %.0e | %.4f | %.4f | %.4f | %.1f |%n", r.lr(), r.batch(), r.dropout(),
                    r.weightDecay(), r.best(), last.validationAccuracy(), last.validationLoss(), r.seconds()));
            csv.append(String.format(Locale.ROOT, "%g,%d,%g,%g,%.6f,%.6f,%.6f,%.2f%n", r.lr(), r.batch(), r.dropout(), r.weightDecay(), r.best(),
                    last.validationAccuracy(), last.validationLoss(), r.seconds()));
            curves.put(r.label(), r.history().epochs().stream().mapToDouble(EpochLogs::validationAccuracy).toArray());
        }
        System.out.print(table);
        folder.writeText("sweep.md", table.toString());
        folder.writeText("sweep.csv", csv.toString());
        Plots.compare(curves, "Sweep on " + source, "validation accuracy", folder.path("sweep.png"));
        System.out.println("Run folder: " + folder.dir().toAbsolutePath());
        return 0;
    }

    private static Model mlp(double dropout, long seed) {
        Sequential.Builder b = Sequential.input(1, 28, 28).add(new Flatten());
        for (int units : new int[] {128, 64}) {
            b.add(new Dense(units)).add(new Relu());
            if (dropout > 0) {
                b.add(new Dropout(dropout));
            }
        }
        return b.add(new Dense(10)).build(DType.F32, seed);
    }
}
