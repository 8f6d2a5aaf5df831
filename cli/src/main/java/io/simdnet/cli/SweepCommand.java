package io.simdnet.cli;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.sweep.TrialStore;
import io.simdnet.engine.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A hyperparameter sweep: the trials ({@link SweepTrial}) of a grid or a random search, run here one after another
 * ({@link #runTrials}), or elsewhere by a subclass (the Spark module's distributed sweep) on the same trials.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Trains the Fashion-MNIST MLP 784-128-64-10 (dropout after each hidden layer, AdamW) or LeNet-5 over a grid of learning rates, "
                + "batch sizes, dropout rates and weight decays (or --random N draws from their ranges); prints and saves a comparison table and one "
                + "plot with every validation-accuracy curve.")
public class SweepCommand implements Callable<Integer> {

    @Mixin
    protected TrainingOptions options;

    @Option(names = "--model", paramLabel = "NAME", description = "fashion-mlp or lenet5 (default: ${DEFAULT-VALUE}).")
    String model = "fashion-mlp";

    @Option(names = "--lrs", split = ",", description = "Learning rates (default: ${DEFAULT-VALUE}).")
    List<Double> learningRates = List.of(3e-4, 1e-3, 3e-3);

    @Option(names = "--batch-sizes", split = ",", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes = List.of(64, 256);

    @Option(names = "--dropouts", split = ",", description = "Dropout rates (default: ${DEFAULT-VALUE}).")
    List<Double> dropouts = List.of(0.0, 0.3);

    @Option(names = "--weight-decays", split = ",", description = "AdamW weight decays (default: ${DEFAULT-VALUE}).")
    List<Double> weightDecays = List.of(0.0);

    @Option(names = "--epoch-counts", split = ",", paramLabel = "N", description = "Epoch counts to sweep as well (default: --epochs, else 5).")
    List<Integer> epochCounts;

    @Option(names = "--random", paramLabel = "N", description = "Random search: N trials, learning rate and weight decay drawn log-uniformly "
            + "between the smallest and largest given, dropout uniformly, batch size from the list (seeded by --seed).")
    Integer randomTrials;

    /** The run folder's sub-folder that keeps each finished trial's result ({@link TrialStore}); {@code --resume} reads it. */
    static final String TRIALS = "trials";

    @Override
    public Integer call() throws Exception {
        options.resumeMarker = TRIALS;
        ClassificationRun.configureThreads(options);
        options.refuseProfile("a sweep trains many models; profile one of its settings with its own command (bin/simdnet lenet5 --profile ...)");
        options.refuseMicroBatches("a sweep's trials train with the default split (" + Trainer.DEFAULT_MICRO_BATCHES
                + "), so that trials run locally or on Spark agree; try another with one setting's own command");
        List<SweepTrial> trials = trials(SweepModel.named(model), options.epochsOr(5), options.seed);
        RunFolder folder = options.resume != null ? RunFolder.open(options.resume, TRIALS) : RunFolder.create(options.out, "sweep");
        TrialStore<TrialResult> store = new TrialStore<>(folder.path(TRIALS), TrialResult.class, TrialResult::trial);
        java.nio.file.Files.createDirectories(store.dir());
        List<TrialResult> results = new ArrayList<>();
        List<SweepTrial> missing = new ArrayList<>();
        for (SweepTrial trial : trials) {
            store.find(trial).ifPresentOrElse(results::add, () -> missing.add(trial));
        }
        if (options.resume != null) {
            System.out.println("Resuming " + folder.dir() + ": " + results.size() + " of " + trials.size() + " trials finished earlier, running the other "
                    + missing.size());
        }
        LabeledData data = DataSources.fashionMnist(options, System.out);
        List<Dataset> parts = DataSplits.split(data.train(), options.seed, 0.8, 0.2);
        // Each finished trial is kept as it ends, so a stopped sweep resumes with only the trials it had not finished.
        results.addAll(runTrials(missing, parts.get(0), parts.get(1), result -> {
            if (result.ok()) {
                store.store(result.trial(), result);
            }
            System.out.println(SweepReport.line(result));
        }));
        results.sort(java.util.Comparator.comparingInt(r -> r.trial().index()));
        System.out.print(SweepReport.write(results, data.source(), folder, perTrialMetrics()));
        System.out.println("Run folder: " + folder.dir().toAbsolutePath());
        return 0;
    }

    /**
     * The grid in nesting order lr → batch → dropout → weight decay → epochs (--epoch-counts, else {@code epochs}),
     * or the random search's draws (epoch counts drawn from the list).
     */
    public List<SweepTrial> trials(SweepModel net, int epochs, long seed) {
        List<Integer> epochList = epochCounts == null || epochCounts.isEmpty() ? List.of(epochs) : epochCounts;
        List<SweepTrial> trials = new ArrayList<>();
        if (randomTrials != null) {
            if (randomTrials <= 0) {
                throw new IllegalArgumentException("--random must be positive, got " + randomTrials);
            }
            Rng rng = new Rng(seed).split();
            for (int i = 0; i < randomTrials; i++) {
                trials.add(new SweepTrial(i, net, logUniform(rng, learningRates), batchSizes.get(rng.nextInt(batchSizes.size())),
                        uniform(rng, dropouts), weightDecays.stream().allMatch(w -> w > 0) ? logUniform(rng, weightDecays) : uniform(rng, weightDecays),
                        epochList.size() == 1 ? epochList.get(0) : epochList.get(rng.nextInt(epochList.size())), seed));
            }
            return trials;
        }
        for (double lr : learningRates) {
            for (int batch : batchSizes) {
                for (double dropout : dropouts) {
                    for (double wd : weightDecays) {
                        for (int e : epochList) {
                            trials.add(new SweepTrial(trials.size(), net, lr, batch, dropout, wd, e, seed));
                        }
                    }
                }
            }
        }
        return trials;
    }

    private static double logUniform(Rng rng, List<Double> range) {
        double lo = Math.log(range.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        double hi = Math.log(range.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        return Math.exp(lo + (hi - lo) * rng.nextDouble());
    }

    private static double uniform(Rng rng, List<Double> range) {
        double lo = range.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double hi = range.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return lo + (hi - lo) * rng.nextDouble();
    }

    /**
     * Runs the trials one after another in this JVM, handing each result to {@code onFinished} as it ends; a trial
     * that throws stops the sweep (the finished ones are kept).
     */
    protected List<TrialResult> runTrials(List<SweepTrial> trials, Dataset train, Dataset validation, Consumer<TrialResult> onFinished)
            throws Exception {
        List<TrialResult> results = new ArrayList<>();
        for (SweepTrial trial : trials) {
            TrialResult result = trial.run(train, validation);
            results.add(result);
            onFinished.accept(result);
        }
        return results;
    }

    /** Whether to write each trial's per-epoch metrics under trials/ as well. */
    protected boolean perTrialMetrics() {
        return false;
    }
}
