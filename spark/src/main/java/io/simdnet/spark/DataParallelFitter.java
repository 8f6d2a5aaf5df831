package io.simdnet.spark;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.ModelFitter;
import io.simdnet.engine.train.Trainer;
import io.simdnet.engine.train.TrainingSetup;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Synchronous data-parallel training on Spark: W workers (one Spark task each per round) hold shards of the
 * training set and replicas of the model; every {@code syncEvery} = K steps the driver combines them. One Spark job
 * per round, as DL4J's parameter averaging does: the driver broadcasts the model, each worker runs its steps,
 * and the driver collects the W results and combines them in worker order (a fixed order, so a run is the same
 * for a given seed and worker count, whichever task finishes first).
 *
 * <ul>
 * <li>K = 1, gradient averaging: each worker computes the gradient of its batch of {@code batchSize}; the driver
 * averages them and takes one optimiser step, i.e. large-batch training with batch W × batchSize, exactly (up to
 * float rounding) single-process training on the workers' batches concatenated, for any optimiser.
 * <li>K &gt; 1, parameter averaging: each worker takes K optimiser steps from the broadcast state; the driver
 * averages parameters and optimiser state (Adam's moments), as DL4J's {@code ParameterAveragingTrainingMaster}.
 * </ul>
 * Batch norm's running statistics are averaged every round; its batch statistics are each worker's own (as
 * PyTorch's DistributedDataParallel without SyncBatchNorm). The training loop is {@code Trainer.fit}'s own ({@link DataParallelSteps}
 * supplies its steps): validation and callbacks run on the driver after every epoch, checkpoints are written every
 * epoch and on {@code Trainer.interrupt}, and a checkpointed run resumes bit for bit; the driver's trainer ends with
 * the trained model and optimiser state.
 */
public final class DataParallelFitter implements ModelFitter {

    private final JavaSparkContext sc;
    private final int workers;
    private final int syncEvery;
    private final PrintStream out;
    private SyncCost lastCost;
    private boolean forgetReplicas;

    /**
     * What the synchronisation cost in the last run: round wall time on the driver beyond the slowest worker's
     * compute, the median over rounds (the first rounds also build replicas and warm the JIT).
     */
    public record SyncCost(long rounds, double meanRoundMillis, double meanComputeMillis, double medianSyncMillis, long parameters) {
    }

    public DataParallelFitter(JavaSparkContext sc, int workers, int syncEvery, PrintStream out) {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be positive, got " + workers);
        }
        if (syncEvery < 1) {
            throw new IllegalArgumentException("--sync-every must be positive, got " + syncEvery);
        }
        this.sc = sc;
        this.workers = workers;
        this.syncEvery = syncEvery;
        this.out = out;
    }

    public SyncCost lastCost() {
        return lastCost;
    }

    /** Test-only: drop the replicas after every round, as if each round ran on an executor that never saw the run. */
    DataParallelFitter forgetReplicasEachRound() {
        this.forgetReplicas = true;
        return this;
    }

    /** The last fit's set-up and synchronisation cost, for metrics.json. */
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spark_master", sc.master());
        m.put("workers", workers);
        m.put("sync_every", syncEvery);
        if (lastCost != null) {
            m.put("sync_rounds", lastCost.rounds());
            m.put("sync_median_ms", lastCost.medianSyncMillis());
            m.put("round_mean_ms", lastCost.meanRoundMillis());
            m.put("bytes_per_sync_per_worker", lastCost.parameters() * 4);
        }
        return m;
    }

    /** Trains {@code trainer}'s model data-parallel: {@code Trainer}'s own loop, its steps taken in Spark rounds. */
    @Override
    public History fit(Trainer trainer, TrainingSetup setup, Dataset train, FitOptions fit) {
        if (setup == null) {
            throw new IllegalArgumentException("data-parallel training needs the experiment's TrainingSetup to build worker replicas");
        }
        Costs costs = new Costs();
        try {
            return trainer.fit(train, fit, (t, trainData, options) -> new DataParallelSteps(sc, workers, syncEvery, forgetReplicas, setup, costs, t,
                    trainData, options));
        } finally {
            long parameters = ParameterVector.length(ParameterVector.values(trainer.model().trainableParameters()));
            lastCost = costs.summary(parameters);
            out.printf(Locale.ROOT, "Data-parallel: %d workers, sync every %d step(s), %d rounds; mean round %.1f ms, of which the slowest worker's "
                    + "compute %.1f ms; synchronisation (round minus compute) median %.1f ms; %,d parameters = %,d bytes each way per worker per round%n",
                    workers, syncEvery, lastCost.rounds(), lastCost.meanRoundMillis(), lastCost.meanComputeMillis(), lastCost.medianSyncMillis(),
                    parameters, parameters * 4);
        }
    }

    /** Round and compute times of one fit, and its rounds counted from the start of the run (a resumed one's included). */
    static final class Costs {
        private long rounds;
        private long roundNanos;
        private long computeNanos;
        private final List<Long> syncNanos = new ArrayList<>();

        void addRound(long round, long compute) {
            rounds++;
            roundNanos += round;
            computeNanos += compute;
            syncNanos.add(round - compute);
        }

        long rounds() {
            return rounds;
        }

        void resumeAt(long roundsBefore) {
            rounds = roundsBefore;
        }

        SyncCost summary(long parameters) {
            int timed = Math.max(syncNanos.size(), 1);
            double medianSync = syncNanos.isEmpty() ? Double.NaN : syncNanos.stream().sorted().toList().get(syncNanos.size() / 2) / 1e6;
            return new SyncCost(rounds, roundNanos / 1e6 / timed, computeNanos / 1e6 / timed, medianSync, parameters);
        }
    }
}
