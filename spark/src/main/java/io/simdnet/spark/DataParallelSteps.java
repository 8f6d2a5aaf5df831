package io.simdnet.spark;

import io.simdnet.engine.data.BatchTransform;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.io.Checkpoint;
import io.simdnet.engine.io.CorruptCheckpointException;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.StepSource;
import io.simdnet.engine.train.StepsAbandonedException;
import io.simdnet.engine.train.Trainer;
import io.simdnet.engine.train.TrainingSetup;
import io.simdnet.kernel.KernelPool;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * The steps of a data-parallel {@code fit}: one Spark job per round of K = {@code syncEvery} steps, the driver
 * combining the W workers' results in worker order (see {@link DataParallelFitter} for the scheme). The training
 * loop around it is {@code Trainer}'s own, so validation, callbacks, checkpoints and resumption are those of a
 * local run; a checkpoint stands at a round's boundary and records W, K and the rounds taken, and a resumed run
 * continues from the driver's model and optimiser state, with each worker replaying its shard's order to the
 * round's step.
 */
final class DataParallelSteps implements StepSource {

    private static final System.Logger LOG = System.getLogger("io.simdnet.spark");
    private static final String WORKERS = "spark.workers";
    private static final String SYNC_EVERY = "spark.sync_every";
    private static final String ROUNDS = "spark.rounds";

    private final JavaSparkContext sc;
    private final int workers;
    private final int syncEvery;
    private final boolean forgetReplicas;
    private final Trainer trainer;
    private final Model model;
    private final Optimizer optimizer;
    private final List<Parameter> trainable;
    private final List<Tensor> values;
    private final List<Tensor> gradients;
    private final List<Tensor> state;
    private final int stepsPerEpoch;
    private final String run = UUID.randomUUID().toString();
    private final Broadcast<DatasetPayload> data;
    private final JavaRDD<Integer> slots;
    private final RoundTask.Fixed fixed;
    private final int driverThreads;
    private final DataParallelFitter.Costs costs;

    DataParallelSteps(JavaSparkContext sc, int workers, int syncEvery, boolean forgetReplicas, TrainingSetup setup, DataParallelFitter.Costs costs,
            Trainer trainer, Dataset train, FitOptions fit) {
        BatchTransform augmentation = fit.augmentation();
        if (augmentation != null && !(augmentation instanceof Serializable)) {
            throw new IllegalArgumentException("data-parallel training ships the augmentation to the workers; "
                    + augmentation.getClass().getName() + " is not Serializable");
        }
        int shardSize = WorkerReplica.shardSize(train.size(), workers);
        if (shardSize == 0) {
            throw new IllegalArgumentException("--workers = " + workers + " for " + train.size() + " training samples, expected at most " + train.size()
                    + " (each worker trains on a shard of at least one sample)");
        }
        this.sc = sc;
        this.workers = workers;
        this.syncEvery = syncEvery;
        this.forgetReplicas = forgetReplicas;
        this.costs = costs;
        this.trainer = trainer;
        this.model = trainer.model();
        this.optimizer = trainer.optimizer();
        this.trainable = model.trainableParameters();
        this.values = ParameterVector.values(trainable);
        this.gradients = ParameterVector.gradients(trainable);
        this.state = WorkerReplica.stateTensors(model);
        this.stepsPerEpoch = Math.ceilDiv(shardSize, fit.batchSize());
        // In local mode the tasks run in this JVM and size the one kernel pool to spark.task.cpus; the driver's own
        // work (validation, and after the fit the test evaluation) gets its thread count back.
        this.driverThreads = KernelPool.threads();
        this.data = sc.broadcast(DatasetPayload.of(train));
        this.slots = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers);
        this.fixed = new RoundTask.Fixed(run, workers, setup, fit.batchSize(), fit.shuffle(), fit.seed(), augmentation, SparkContexts.taskCpus(sc));
    }

    @Override
    public String kind() {
        return "spark data-parallel";
    }

    @Override
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    @Override
    public int stepsPerCall() {
        return syncEvery;
    }

    @Override
    public void startEpoch(int epoch, int step) {
        // Each worker seeks its own shard's position from the round's request.
    }

    @Override
    public void run(int epoch, int step, int count, StepSink sink) {
        boolean gradientMode = syncEvery == 1;
        Map<String, float[]> optimizerState = new LinkedHashMap<>();
        if (!gradientMode) {
            optimizer.state().forEach((key, tensor) -> optimizerState.put(key, ParameterVector.gather(List.of(tensor))));
        }
        RoundRequest request = new RoundRequest(epoch, step, count, gradientMode, optimizer.learningRate(), ParameterVector.gather(values),
                ParameterVector.gather(state), optimizerState, optimizer.steps());
        long roundStart = System.nanoTime();
        List<WorkerUpdate> updates = collect(request);
        long round = System.nanoTime() - roundStart;
        long compute = updates.stream().mapToLong(WorkerUpdate::computeNanos).max().orElse(0);
        costs.addRound(round, compute);
        for (int w = 0; w < updates.size(); w++) {
            if (updates.get(w).worker() != w) {
                throw new IllegalStateException("round " + costs.rounds() + ": update " + w + " came from worker " + updates.get(w).worker());
            }
        }
        for (int s = 0; s < count; s++) {
            double loss = 0;
            int n = 0;
            int correct = 0;
            boolean classes = true;
            for (WorkerUpdate u : updates) {
                loss += u.losses()[s];
                n += u.samples()[s];
                classes &= u.correct()[s] >= 0;
                correct += Math.max(u.correct()[s], 0);
            }
            sink.accept(loss / updates.size(), n, classes ? correct : -1);
        }
        combine(updates, gradientMode, count);
        if (forgetReplicas) {
            slots.foreachPartition(new Release(run));
        }
    }

    /**
     * Runs the round's job. Nothing of the driver's state changes before it returns, so a round lost to a shutdown
     * (SIGTERM stops Spark's context beside the run's own stop request) is abandoned cleanly and checkpointed as not
     * taken.
     */
    private List<WorkerUpdate> collect(RoundRequest request) {
        Broadcast<RoundRequest> broadcast = null;
        try {
            broadcast = sc.broadcast(request);
            return slots.mapPartitions(new RoundTask(fixed, data, broadcast)).collect();
        } catch (Exception e) {
            // Spark's SparkException is checked in Java's terms but undeclared: catch it with the rest, rethrow precisely.
            if (trainer.interruptPending() || sc.sc().isStopped()) {
                throw new StepsAbandonedException("round at step " + request.firstStep() + " of epoch " + request.epoch()
                        + " not taken: Spark stopped (" + e.getMessage() + ")", e);
            }
            throw e;
        } finally {
            destroyQuietly(broadcast);
        }
    }

    @Override
    public void endEpoch() {
        KernelPool.setThreads(driverThreads);
    }

    @Override
    public Map<String, String> checkpointState() {
        return Map.of(WORKERS, Integer.toString(workers), SYNC_EVERY, Integer.toString(syncEvery), ROUNDS, Long.toString(costs.rounds()));
    }

    @Override
    public Runnable prepareRestore(Path file, Map<String, String> saved, int epoch) throws CorruptCheckpointException {
        int savedWorkers = parse(file, saved, WORKERS);
        int savedSync = parse(file, saved, SYNC_EVERY);
        int rounds = parse(file, saved, ROUNDS);
        if (savedWorkers != workers || savedSync != syncEvery) {
            throw new IllegalArgumentException("Cannot resume from " + file + ": it was trained on " + savedWorkers + " workers synchronising every "
                    + savedSync + " steps, this run has " + workers + " workers and --sync-every " + syncEvery + "; use the same options");
        }
        return () -> costs.resumeAt(rounds);
    }

    private static int parse(Path file, Map<String, String> saved, String key) throws CorruptCheckpointException {
        String text = saved.get(key);
        if (text == null) {
            throw new CorruptCheckpointException(file, "metadata \"" + Checkpoint.EXTRA_PREFIX + key + "\" is missing, expected a count");
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CorruptCheckpointException(file, "metadata \"" + Checkpoint.EXTRA_PREFIX + key + "\" is \"" + text + "\", expected a count");
    }

    /**
     * Releases the replicas and the data. A failure here (Spark stopping under a SIGTERM) must not replace the fit's
     * own outcome, so it is logged: the executors drop the replicas with their JVM anyway.
     */
    @Override
    public void close() {
        try {
            if (!sc.sc().isStopped()) {
                slots.foreachPartition(new Release(run));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not release the data-parallel replicas: " + e);
        } finally {
            destroyQuietly(data);
            KernelPool.setThreads(driverThreads);
        }
    }

    /** Destroys a broadcast unless Spark has stopped (its broadcasts went with it) or stops while doing so. */
    private void destroyQuietly(Broadcast<?> broadcast) {
        if (broadcast == null || sc.sc().isStopped()) {
            return;
        }
        try {
            broadcast.destroy();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not destroy a broadcast: " + e);
        }
    }

    private void combine(List<WorkerUpdate> updates, boolean gradientMode, int steps) {
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
    private record RoundTask(Fixed fixed, Broadcast<DatasetPayload> data, Broadcast<RoundRequest> request)
            implements FlatMapFunction<Iterator<Integer>, WorkerUpdate> {

        private static final long serialVersionUID = 1L;

        /** What every round of a run shares. */
        record Fixed(String run, int workers, TrainingSetup setup, int batchSize, boolean shuffle, long seed, BatchTransform augmentation,
                int threads) implements Serializable {
            private static final long serialVersionUID = 1L;
        }

        @Override
        public Iterator<WorkerUpdate> call(Iterator<Integer> slot) {
            int worker = slot.next();
            KernelPool.setThreads(fixed.threads());
            WorkerReplica replica = WorkerReplica.of(fixed.run(), worker, fixed.workers(), fixed.setup(), data.value().toDataset(), fixed.batchSize(),
                    fixed.shuffle(), fixed.seed(), fixed.augmentation());
            return List.of(replica.run(worker, request.value())).iterator();
        }
    }

    private record Release(String run) implements VoidFunction<Iterator<Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void call(Iterator<Integer> slot) {
            WorkerReplica.release(run);
        }
    }
}
