package io.simdnet.cli.spark;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.ModelFitter;
import io.simdnet.engine.train.Trainer;
import io.simdnet.engine.train.TrainingSetup;
import io.simdnet.spark.DataParallelFitter;
import java.io.PrintStream;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of a data-parallel trainer: where Spark runs, how many workers, how often they synchronise. */
public final class DataParallelOptions {

    /**
     * One Spark job per synchronisation measured ~70 ms on local[2] (median round time beyond the workers' compute,
     * LeNet-5, on a loaded 2-core machine), more over a network, against ~1.8 ms for a LeNet-5 step of batch 32 on
     * one core: synchronising every step spends ~97% of the time in Spark; every 32 steps brings a round to ~58 ms of
     * compute per ~70 ms of synchronisation while still averaging ~23 times per epoch of full Fashion-MNIST on two
     * workers (parameter averaging drifts apart between rarer averages).
     */
    static final int DEFAULT_SYNC_EVERY = 32;

    @Mixin
    SparkOptions spark;

    @Option(names = "--workers", paramLabel = "W", description = "Model replicas, one Spark task each (default: Spark's default parallelism, "
            + "N for local[N]).")
    Integer workers;

    @Option(names = "--sync-every", paramLabel = "K", description = "Steps between synchronisations: 1 averages gradients every step "
            + "(large-batch training, batch W × --batch-size); K > 1 averages parameters and optimiser state every K steps "
            + "(default: ${DEFAULT-VALUE}).")
    int syncEvery = DEFAULT_SYNC_EVERY;

    /** A fitter that opens the Spark context for the run and closes it after. */
    ModelFitter fitter(String appName, PrintStream out) {
        if (syncEvery < 1) {
            throw new IllegalArgumentException("--sync-every must be positive, got " + syncEvery);
        }
        if (workers != null && workers < 1) {
            throw new IllegalArgumentException("--workers must be positive, got " + workers);
        }
        return new ModelFitter() {
            private DataParallelFitter last;

            @Override
            public History fit(Trainer trainer, TrainingSetup setup, Dataset train, FitOptions fit) {
                try (JavaSparkContext sc = spark.open(appName)) {
                    int w = workers != null ? workers : sc.defaultParallelism();
                    out.println("Spark " + sc.version() + " on " + sc.master() + ": " + w + " workers, batch " + fit.batchSize() + " per worker, "
                            + (syncEvery == 1 ? "gradients averaged every step" : "parameters averaged every " + syncEvery + " steps"));
                    last = new DataParallelFitter(sc, w, syncEvery, out);
                    return last.fit(trainer, setup, train, fit);
                }
            }

            @Override
            public Map<String, Object> metrics() {
                return last == null ? Map.of() : last.metrics();
            }
        };
    }
}
