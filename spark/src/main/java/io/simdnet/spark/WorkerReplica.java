package io.simdnet.spark;

import io.simdnet.engine.data.BatchTransform;
import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.Accuracy;
import io.simdnet.engine.train.MiniBatches;
import io.simdnet.engine.train.TrainingSetup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One worker's copy of the model, its shard of the training set and its position in the shard's batch order,
 * kept in the executor between rounds so that a round costs no rebuilding. Everything a round computes follows
 * from the round's request (the model state comes in with it) and its place in the run, wherever it runs:
 * <ul>
 * <li>the position is rebuilt by replaying the shard's shuffles (and augmentation draws) when this executor has
 * not run the previous round (Spark placed the task elsewhere, or retried it);
 * <li>a model with dropout is rebuilt every round from a seed of (worker, epoch, step), so its masks do not depend
 * on which rounds this executor ran before; a model without it keeps its replica.
 * </ul>
 *
 * <p>Worker w's shard is samples w, w + W, w + 2W, … of the (already shuffled) training split, the same count for
 * every worker (up to W − 1 samples are left out), shuffled every epoch with seed {@code seed + w}.
 */
final class WorkerReplica {

    private static final Map<String, WorkerReplica> LIVE = new ConcurrentHashMap<>();

    private final TrainingSetup setup;
    private final Loss loss;
    private final Dataset shard;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final BatchTransform augmentation;
    private final boolean stochastic;
    private Model model;
    private Optimizer optimizer;
    private List<Parameter> trainable;
    private List<Tensor> values;
    private List<Tensor> gradients;
    private List<Tensor> state;
    private BatchBuffer outputGradient;
    private MiniBatches batches;
    private int epoch = -1;
    private int step;

    private WorkerReplica(TrainingSetup setup, Dataset shard, int batchSize, boolean shuffle, long seed, BatchTransform augmentation) {
        this.setup = setup;
        this.loss = setup.loss();
        this.optimizer = setup.optimizer();
        this.shard = shard;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.augmentation = augmentation;
        useModel(setup.model(seed));
        this.stochastic = model.layers().stream().anyMatch(layer -> layer instanceof Dropout);
    }

    /** The replica of {@code run}'s worker {@code worker} in this executor, built on first use. */
    static WorkerReplica of(String run, int worker, int workers, TrainingSetup setup, Dataset train, int batchSize, boolean shuffle, long seed,
            BatchTransform augmentation) {
        return LIVE.computeIfAbsent(run + "/" + worker, key -> new WorkerReplica(setup, shard(train, worker, workers), batchSize, shuffle,
                seed + worker, augmentation));
    }

    /** Drops this executor's replicas of {@code run}. */
    static void release(String run) {
        LIVE.keySet().removeIf(key -> key.startsWith(run + "/"));
    }

    static int shardSize(int samples, int workers) {
        return samples / workers;
    }

    private static Dataset shard(Dataset train, int worker, int workers) {
        int[] rows = new int[shardSize(train.size(), workers)];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = worker + i * workers;
        }
        return DataSplits.take(train, rows);
    }

    /** The non-trainable parameters (batch norm's running statistics), in model order. */
    static List<Tensor> stateTensors(Model model) {
        return model.namedParameters().values().stream().filter(p -> !p.trainable()).map(Parameter::value).toList();
    }

    private void useModel(Model next) {
        model = next;
        trainable = model.trainableParameters();
        values = ParameterVector.values(trainable);
        gradients = ParameterVector.gradients(trainable);
        state = stateTensors(model);
        outputGradient = new BatchBuffer(model.dtype(), model.outputShape());
    }

    /** Runs one round from the request's model state; synchronised, since a retried task may overlap a slow first attempt. */
    synchronized WorkerUpdate run(int worker, RoundRequest request) {
        long start = System.nanoTime();
        if (stochastic) {
            // Weights come from the request; the seed only fixes this round's dropout masks.
            useModel(setup.model(seed * 0x9E3779B97F4A7C15L + request.epoch() * 0xBF58476D1CE4E5B9L + request.firstStep()));
        }
        ParameterVector.scatter(request.parameters(), values);
        ParameterVector.scatter(request.state(), state);
        if (!request.averageGradients()) {
            loadOptimizer(request);
        }
        seek(request.epoch(), request.firstStep());
        double[] losses = new double[request.steps()];
        int[] samples = new int[request.steps()];
        int[] correct = new int[request.steps()];
        for (int s = 0; s < request.steps(); s++) {
            if (!batches.hasNext()) {
                throw new IllegalStateException("worker " + worker + ": round asks for step " + (request.firstStep() + s) + " of epoch "
                        + request.epoch() + ", but the shard has only " + batches.batchesPerEpoch() + " batches");
            }
            samples[s] = batches.nextSize();
            Tensor out = model.forward(batches.inputs(), true);
            Tensor targets = batches.targets();
            Tensor gradient = outputGradient.get(out.batch());
            losses[s] = loss.compute(out, targets, gradient) + model.regularizationLoss();
            correct[s] = Accuracy.applies(out, targets) ? Accuracy.correct(out, targets) : -1;
            batches.advance();
            step++;
            if (!Double.isFinite(losses[s])) {
                break; // the driver stops training with NonFiniteLossException
            }
            model.backward(gradient);
            if (!request.averageGradients()) {
                optimizer.step(trainable);
            }
        }
        float[] vector = ParameterVector.gather(request.averageGradients() ? gradients : values);
        Map<String, float[]> optimizerState = new LinkedHashMap<>();
        if (!request.averageGradients()) {
            optimizer.state().forEach((key, tensor) -> optimizerState.put(key, ParameterVector.gather(List.of(tensor))));
        }
        return new WorkerUpdate(worker, vector, ParameterVector.gather(state), optimizerState, losses, samples, correct, System.nanoTime() - start);
    }

    private void loadOptimizer(RoundRequest request) {
        if (request.optimizerSteps() == 0) {
            optimizer = setup.optimizer();
        } else {
            optimizer.loadState(trainable, DataParallelSteps.tensors(request.optimizerState(), model), request.optimizerSteps());
        }
        optimizer.setLearningRate(request.learningRate());
    }

    /**
     * Moves to step {@code first} of epoch {@code target}, replaying from the start if that is behind us. Skipped
     * batches still draw their augmentation, so the random stream is where a replica that trained them would be.
     */
    private void seek(int target, int first) {
        if (batches == null || target < epoch || (target == epoch && first < step)) {
            batches = new MiniBatches(shard, batchSize, shuffle, seed, model.dtype(), augmentation);
            epoch = -1;
        }
        while (epoch < target) {
            while (epoch >= 0 && batches.hasNext()) {
                skipBatch();
            }
            batches.startEpoch();
            epoch++;
            step = 0;
        }
        while (step < first) {
            skipBatch();
            step++;
        }
    }

    private void skipBatch() {
        if (augmentation != null) {
            batches.inputs();
        }
        batches.advance();
    }
}
