package io.simdnet.spark;

import io.simdnet.examples.ModelFitter;
import java.io.PrintStream;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of a data-parallel trainer: where Spark runs, how many workers, how often they synchronise. */
public final class DataParallelOptions {

    /**
     * One Spark job per synchronisation costs tens of milliseconds in local mode and more on a network (see the
     * README's measurements), against 1-7 ms for a LeNet-5 or MNIST-CNN step: synchronising every step would
     * spend most of the time in Spark, every 16 steps keeps it to a few percent of a round.
     */
    static final int DEFAULT_SYNC_EVERY = 16;

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
        return (trainer, setup, train, fit) -> {
            try (JavaSparkContext sc = spark.open(appName)) {
                int w = workers != null ? workers : sc.defaultParallelism();
                out.println("Spark " + sc.version() + " on " + sc.master() + ": " + w + " workers, batch " + fit.batchSize() + " per worker, "
                        + (syncEvery == 1 ? "gradients averaged every step" : "parameters averaged every " + syncEvery + " steps"));
                return new DataParallelFitter(sc, w, syncEvery, out).fit(trainer, setup, train, fit);
            }
        };
    }
}
