package io.simdnet.spark;

import io.simdnet.engine.data.BatchTransform;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.Callback;
import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.Evaluation;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.NonFiniteLossException;
import io.simdnet.engine.train.ProgressBarCallback;
import io.simdnet.engine.train.Trainer;
import io.simdnet.examples.ModelFitter;
import io.simdnet.examples.TrainingSetup;
import io.simdnet.kernel.KernelPool;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

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
 * PyTorch's DistributedDataParallel without SyncBatchNorm). Validation and callbacks run on the driver after every
 * epoch, as {@code Trainer.fit}'s; the driver's trainer ends with the trained model and optimiser state.
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
    public record SyncCost(int rounds, double meanRoundMillis, double meanComputeMillis, double medianSyncMillis, long parameters) {
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

    @Override
    public History fit(Trainer trainer, TrainingSetup setup, Dataset train, FitOptions fit) {
        if (setup == null) {
            throw new IllegalArgumentException("data-parallel training needs the experiment's TrainingSetup to build worker replicas");
        }
        List<Dataset> parts = fit.trainAndValidation(train);
        Dataset trainData = parts.get(0);
        Dataset validation = parts.get(1);
        Model model = trainer.model();
        model.checkBatch(trainData.sampleShape().withBatch(trainData.size()));
        BatchTransform augmentation = fit.augmentation();
        if (augmentation != null && !(augmentation instanceof Serializable)) {
            throw new IllegalArgumentException("data-parallel training ships the augmentation to the workers; "
                    + augmentation.getClass().getName() + " is not Serializable");
        }
        int shardSize = WorkerReplica.shardSize(trainData.size(), workers);
        if (shardSize == 0) {
            throw new IllegalArgumentException(workers + " workers for " + trainData.size() + " training samples: each needs at least one");
        }
        int batchSize = fit.batchSize();
        int stepsPerEpoch = (shardSize + batchSize - 1) / batchSize;
        List<Parameter> trainable = model.trainableParameters();
        List<Tensor> values = ParameterVector.values(trainable);
        List<Tensor> gradients = ParameterVector.gradients(trainable);
        List<Tensor> state = WorkerReplica.stateTensors(model);
        Optimizer optimizer = trainer.optimizer();
        List<Callback> callbacks = new ArrayList<>(fit.callbacks());
        if (fit.progressBar()) {
            callbacks.add(new ProgressBarCallback());
        }
        String run = UUID.randomUUID().toString();
        Broadcast<DatasetPayload> data = sc.broadcast(DatasetPayload.of(trainData));
        JavaRDD<Integer> slots = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers);
        int threads = SparkContexts.taskCpus(sc);
        // In local mode the tasks run in this JVM and size the one kernel pool to spark.task.cpus; the driver's own
        // work (validation, and after the fit the test evaluation) gets its thread count back.
        int driverThreads = KernelPool.threads();
        History history = new History();
        long roundNanos = 0;
        long computeNanos = 0;
        int rounds = 0;
        List<Long> syncNanos = new ArrayList<>();
        try {
            for (Callback c : callbacks) {
                c.onTrainBegin(trainer, fit.epochs(), stepsPerEpoch);
            }
            for (int epoch = 0; epoch < fit.epochs() && !trainer.stopRequested(); epoch++) {
                for (Callback c : callbacks) {
                    c.onEpochBegin(trainer, epoch);
                }
                long epochStart = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                boolean classes = true;
                for (int first = 0; first < stepsPerEpoch; first += syncEvery) {
                    int steps = Math.min(syncEvery, stepsPerEpoch - first);
                    boolean gradientMode = syncEvery == 1;
                    Map<String, float[]> optimizerState = new LinkedHashMap<>();
                    if (!gradientMode) {
                        optimizer.state().forEach((key, tensor) -> optimizerState.put(key, ParameterVector.gather(List.of(tensor))));
                    }
                    RoundRequest request = new RoundRequest(epoch, first, steps, gradientMode, optimizer.learningRate(), ParameterVector.gather(values),
                            ParameterVector.gather(state), optimizerState, optimizer.steps());
                    long roundStart = System.nanoTime();
                    Broadcast<RoundRequest> broadcast = sc.broadcast(request);
                    List<WorkerUpdate> updates;
                    try {
                        updates = slots.mapPartitions(new RoundTask(run, workers, setup, data, broadcast, batchSize, fit.shuffle(), fit.seed(),
                                augmentation, threads)).collect();
                    } finally {
                        broadcast.destroy();
                    }
                    long round = System.nanoTime() - roundStart;
                    long compute = updates.stream().mapToLong(WorkerUpdate::computeNanos).max().orElse(0);
                    roundNanos += round;
                    computeNanos += compute;
                    syncNanos.add(round - compute);
                    rounds++;
                    for (int w = 0; w < updates.size(); w++) {
                        if (updates.get(w).worker() != w) {
                            throw new IllegalStateException("round " + rounds + ": update " + w + " came from worker " + updates.get(w).worker());
                        }
                    }
                    for (int s = 0; s < steps; s++) {
                        double loss = 0;
                        int n = 0;
                        for (WorkerUpdate u : updates) {
                            loss += u.losses()[s];
                            n += u.samples()[s];
                            classes &= u.correct()[s] >= 0;
                            correct += Math.max(u.correct()[s], 0);
                        }
                        loss /= updates.size();
                        if (!Double.isFinite(loss)) {
                            throw new NonFiniteLossException(epoch, first + s, loss);
                        }
                        history.addStep(loss);
                        lossSum += loss * n;
                        seen += n;
                        for (Callback c : callbacks) {
                            c.onBatchEnd(trainer, epoch, first + s, loss, n);
                        }
                    }
                    combine(updates, gradientMode, model, trainable, values, gradients, state, optimizer, steps);
                    if (forgetReplicas) {
                        slots.foreachPartition(new Release(run));
                    }
                }
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                KernelPool.setThreads(driverThreads);
                Evaluation val = validation == null ? null : trainer.evaluate(validation, fit.validationBatchSize());
                EpochLogs logs = new EpochLogs(epoch, lossSum / seen, classes ? (double) correct / seen : Double.NaN,
                        val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), optimizer.learningRate(), seconds,
                        seen / seconds);
                history.addEpoch(logs);
                for (Callback c : callbacks) {
                    c.onEpochEnd(trainer, logs);
                }
            }
            for (Callback c : callbacks) {
                c.onTrainEnd(trainer, history);
            }
        } finally {
            slots.foreachPartition(new Release(run));
            data.destroy();
            KernelPool.setThreads(driverThreads);
        }
        long parameters = ParameterVector.length(values);
        double medianSync = syncNanos.isEmpty() ? Double.NaN : syncNanos.stream().sorted().toList().get(syncNanos.size() / 2) / 1e6;
        lastCost = new SyncCost(rounds, roundNanos / 1e6 / Math.max(rounds, 1), computeNanos / 1e6 / Math.max(rounds, 1), medianSync, parameters);
        out.printf(Locale.ROOT, "Data-parallel: %d workers, sync every %d step(s), %d rounds; mean round %.1f ms, of which the slowest worker's "
                + "compute %.1f ms; synchronisation (round minus compute) median %.1f ms; %,d parameters = %,d bytes each way per worker per round%n",
                workers, syncEvery, rounds, lastCost.meanRoundMillis(), lastCost.meanComputeMillis(), medianSync, parameters, parameters * 4);
        return history;
    }

    private static void combine(List<WorkerUpdate> updates, boolean gradientMode, Model model, List<Parameter> trainable, List<Tensor> values,
            List<Tensor> gradients, List<Tensor> state, Optimizer optimizer, int steps) {
        ParameterVector.scatter(ParameterVector.mean(updates.stream().map(WorkerUpdate::state).toList()), state);
        if (gradientMode) {
            ParameterVector.scatter(ParameterVector.mean(updates.stream().map(WorkerUpdate::vector).toList()), gradients);
            optimizer.step(trainable);
            return;
        }
        ParameterVector.scatter(ParameterVector.mean(updates.stream().map(WorkerUpdate::vector).toList()), values);
        Map<String, float[]> averaged = new LinkedHashMap<>();
        for (String key : updates.get(0).optimizerState().keySet()) {
            averaged.put(key, ParameterVector.mean(updates.stream().map(u -> u.optimizerState().get(key)).toList()));
        }
        optimizer.loadState(trainable, tensors(averaged, model), optimizer.steps() + steps);
    }

    /** Optimiser state as sent ({@code <kind>.<parameter name>} → floats) back into tensors shaped like their parameters. */
    static Map<String, Tensor> tensors(Map<String, float[]> state, Model model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            String name = e.getKey().substring(e.getKey().indexOf('.') + 1);
            Tensor shapeOf = model.parameter(name).value();
            Tensor t = Tensor.zeros(shapeOf.dtype(), shapeOf.shape());
            ParameterVector.scatter(e.getValue(), List.of(t));
            out.put(e.getKey(), t);
        }
        return out;
    }

    /** One worker's round: its replica (built on first use in this executor) runs the broadcast request. */
    private record RoundTask(String run, int workers, TrainingSetup setup, Broadcast<DatasetPayload> data, Broadcast<RoundRequest> request,
            int batchSize, boolean shuffle, long seed, BatchTransform augmentation, int threads)
            implements FlatMapFunction<Iterator<Integer>, WorkerUpdate> {

        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<WorkerUpdate> call(Iterator<Integer> slot) {
            int worker = slot.next();
            KernelPool.setThreads(threads);
            WorkerReplica replica = WorkerReplica.of(run, worker, workers, setup, data.value().toDataset(), batchSize, shuffle, seed, augmentation);
            return List.of(replica.run(worker, request.value())).iterator();
        }
    }

    private record Release(String run) implements org.apache.spark.api.java.function.VoidFunction<Iterator<Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void call(Iterator<Integer> slot) {
            WorkerReplica.release(run);
        }
    }
}
