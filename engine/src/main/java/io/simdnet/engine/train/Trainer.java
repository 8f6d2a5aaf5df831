package io.simdnet.engine.train;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.KernelPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a model with a loss and an optimiser: Keras' {@code compile} + {@code fit}/{@code evaluate}. One
 * {@link #trainStep} is forward, loss, backward and update, and allocates nothing once each batch size has been
 * seen. A NaN or infinite loss stops training with a {@link NonFiniteLossException} naming the epoch and step.
 */
public final class Trainer {

    private final Model model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final List<Parameter> parameters;
    private final BatchBuffer outputGradient;
    private boolean stopAfterEpoch;
    private volatile boolean interruptRequested;
    private int lastCorrect;
    /**
     * The largest batch the model's own layers have run a training step on (a split step's first micro-batch), 0
     * before the first. Evaluation and prediction run their forward
     * passes at most this many samples at a time: every layer keeps its buffers at the largest batch it has seen, so a
     * validation batch of 256 or a test batch of 500 would leave each layer with buffers several times the training
     * ones (over 700 MB more in cifar-best). In evaluation mode a sample's outputs do not depend on the samples beside
     * it, so losses, accuracies and outputs are the same as in one pass, bit for bit; TrainerTest holds them to it.
     */
    private int largestTrainingBatch;
    /** Micro-batches a step splits its batch into (1: none); see {@link #microBatches(int)}. */
    private int microBatches = DEFAULT_MICRO_BATCHES;
    /** Whether every layer of the model lets a step split its batch (no batch norm, no sparsity penalty). */
    private final boolean splittable;
    /** The replicas and buffers of split steps, made at the first split step. */
    private MicroBatchStep split;

    /**
     * The micro-batches a step splits its batch into by default: two keep two cores busy with a fork per pass
     * instead of a fork per kernel call (on a Zen 5, 2 threads ÷ 1: LeNet-5 b128 1.8×, where four micro-batches
     * cost a thread alone up to a third more in smaller GEMMs and gradient sums). The count is fixed, not the number
     * of threads, so that results are the same on any number of threads.
     */
    public static final int DEFAULT_MICRO_BATCHES = 2;

    /** A step splits its batch only into micro-batches of at least this many samples. */
    public static final int MIN_MICRO_BATCH = 8;

    public Trainer(Model model, Loss loss, Optimizer optimizer) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.parameters = model.trainableParameters();
        this.outputGradient = new BatchBuffer(model.dtype(), model.outputShape());
        this.splittable = model.samplesIndependentInTraining();
    }

    /**
     * Splits each training step's batch into {@code count} micro-batches (fewer where the batch has fewer than
     * {@link #MIN_MICRO_BATCH} samples for each), which run side by side on the kernel pool, each on its own replica of
     * the model (the model itself for the first): a fork per pass rather than a fork per kernel call, which is what
     * lets a second core pay off on small layers. 1 trains on the whole batch at once. The default is
     * {@link #DEFAULT_MICRO_BATCHES}.
     *
     * <p>Results depend on the count, never on the number of threads: the loss and its gradient are those of the whole
     * batch, and the parameter gradients are the micro-batches' summed in order (so they differ from the unsplit
     * step's by float rounding). Dropout draws each micro-batch's masks from a stream split from its own every step.
     * Models with a layer that couples a batch's samples in training (batch norm, the sparsity penalty;
     * {@link io.simdnet.engine.layer.Layer#samplesIndependentInTraining}) always train on whole batches. After a split
     * step, {@link Model#lastOutput} holds the first micro-batch's outputs.
     */
    public Trainer microBatches(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("Micro-batches: " + count + ", expected 1 or more (1: train on whole batches)");
        }
        if (count != microBatches) {
            microBatches = count;
            split = null;
        }
        return this;
    }

    /** The micro-batch count set by {@link #microBatches(int)}. */
    public int microBatches() {
        return microBatches;
    }

    /** How many micro-batches a training step on {@code batch} samples runs: 1 when it runs whole. */
    public int microBatchesFor(int batch) {
        return splittable ? Math.max(1, Math.min(microBatches, batch / MIN_MICRO_BATCH)) : 1;
    }

    public Model model() {
        return model;
    }

    public Loss loss() {
        return loss;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Asks a running {@code fit} to stop once the current epoch ends, after its validation and checkpoint, for good
     * (early stopping): a checkpoint written then is marked finished, and resuming it trains no further.
     */
    public void stopAfterEpoch() {
        stopAfterEpoch = true;
    }

    /** Whether {@link #stopAfterEpoch} was called during the running {@code fit}. */
    public boolean stopsAfterEpoch() {
        return stopAfterEpoch;
    }

    /**
     * Asks a running {@code fit} (from any thread: a signal handler) to stop after the step in progress (a
     * data-parallel round's last step): it writes its checkpoint, if it has one, and throws
     * {@link TrainingInterruptedException}. The run can be resumed from that checkpoint.
     */
    public void interrupt() {
        interruptRequested = true;
    }

    /** Whether {@link #interrupt} was called and {@code fit} has not yet stopped for it. */
    public boolean interruptPending() {
        return interruptRequested;
    }

    /** Consumes an interrupt request: true once per {@link #interrupt} call that came before. */
    boolean takeInterrupt() {
        if (!interruptRequested) {
            return false;
        }
        interruptRequested = false;
        return true;
    }

    void clearStopRequests() {
        stopAfterEpoch = false;
    }

    /** Correct predictions of the last {@link #trainStep}, −1 when its targets are not class labels. */
    int lastCorrect() {
        return lastCorrect;
    }

    /** One step on one batch; returns its loss (with regularisation). */
    public double trainStep(Tensor inputs, Tensor targets) {
        boolean acquired = model.acquire("training");
        try (KernelPool.Session awake = KernelPool.session()) {
            return trainStepUnguarded(inputs, targets);
        } finally {
            model.release(acquired);
        }
    }

    /**
     * One step on the batch {@code batches} is at (it does not advance): the step of {@link #trainStep(Tensor, Tensor)}
     * on its inputs and targets, but a step split into micro-batches has each micro-batch gather its own samples on
     * the thread that trains it, straight into its buffer, instead of the whole batch gathered on this thread first
     * (augmented batches are still gathered whole). The profile's data row counts the gathering on this thread.
     */
    public double trainStep(MiniBatches batches) {
        if (!batches.hasNext()) {
            throw new IllegalStateException("trainStep: the mini-batches have no batch left in this epoch; call startEpoch() first");
        }
        boolean acquired = model.acquire("training");
        try (KernelPool.Session awake = KernelPool.session()) {
            int n = batches.nextSize();
            int micro = microBatchesFor(n);
            Profiler profiler = model.profiler();
            long start = profiler == null ? Profiler.NOT_TIMED : profiler.outsideStarts();
            Tensor targets = batches.targets();
            Tensor inputs = micro > 1 && !batches.augments() ? null : batches.inputs();
            if (profiler != null) {
                profiler.outsideEnds(Profiler.Outside.DATA, start);
            }
            if (inputs != null) {
                return trainStepUnguarded(inputs, targets);
            }
            model.checkBatch(batches.sampleShape().withBatch(n));
            return lossBackwardUpdate(split(n, micro).forward(batches, micro), targets, micro);
        } finally {
            model.release(acquired);
        }
    }

    private double trainStepUnguarded(Tensor inputs, Tensor targets) {
        int micro = microBatchesFor(inputs.batch());
        Tensor out;
        if (micro > 1) {
            model.checkBatch(inputs);
            out = split(inputs.batch(), micro).forward(inputs, micro);
        } else {
            largestTrainingBatch = Math.max(largestTrainingBatch, inputs.batch());
            out = model.forward(inputs, true);
        }
        return lossBackwardUpdate(out, targets, micro);
    }

    /** The split step for a batch of {@code batch} samples in {@code micro} micro-batches (made at the first). */
    private MicroBatchStep split(int batch, int micro) {
        largestTrainingBatch = Math.max(largestTrainingBatch, MicroBatchStep.size(batch, micro, 0));
        if (split == null) {
            split = new MicroBatchStep(model, microBatches);
        }
        return split;
    }

    /** The loss of the step's outputs {@code out}, then its backward pass and the optimiser's update. */
    private double lossBackwardUpdate(Tensor out, Tensor targets, int micro) {
        Profiler profiler = model.profiler();
        long start = profiler == null ? 0 : profiler.outsideStarts();
        Tensor gradient = outputGradient.get(out.batch());
        double value = loss.compute(out, targets, gradient) + model.regularizationLoss();
        lastCorrect = Accuracy.applies(out, targets) ? Accuracy.correct(out, targets) : -1;
        if (profiler != null) {
            profiler.outsideEnds(Profiler.Outside.LOSS, start);
        }
        if (!Double.isFinite(value)) {
            return value;
        }
        if (micro > 1) {
            split.backward(gradient);
        } else {
            model.backward(gradient);
        }
        start = profiler == null ? 0 : profiler.outsideStarts();
        optimizer.step(parameters);
        if (profiler != null) {
            profiler.outsideEnds(Profiler.Outside.OPTIMIZER, start);
        }
        return value;
    }

    /**
     * Trains for {@code options.epochs()} epochs (continuing a checkpointed run with {@link FitOptions#resume}). A NaN
     * or infinite loss throws {@link NonFiniteLossException} carrying the history up to the step before it.
     */
    public History fit(Dataset train, FitOptions options) {
        return fit(train, options, LocalSteps::new);
    }

    /**
     * {@link #fit(Dataset, FitOptions)} with its steps taken by {@code steps} (the Spark module's data-parallel
     * rounds): the same loop, callbacks, validation, checkpoints and resumption.
     */
    public History fit(Dataset train, FitOptions options, StepSource.Factory steps) {
        boolean acquired = model.acquire("training");
        try {
            return new TrainingLoop(this, options).run(train, steps);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            model.release(acquired);
        }
    }

    /**
     * Mean loss (with regularisation) and accuracy over {@code data} in evaluation mode, the loss averaged per batch of
     * {@code batchSize} (whose forward pass runs in pieces no larger than the largest training batch).
     */
    public Evaluation evaluate(Dataset data, int batchSize) {
        boolean acquired = model.acquire("evaluate");
        try {
            return evaluateUnguarded(data, batchSize);
        } finally {
            model.release(acquired);
        }
    }

    private Evaluation evaluateUnguarded(Dataset data, int batchSize) {
        model.checkBatch(data.sampleShape().withBatch(data.size()));
        MiniBatches batches = new MiniBatches(data, batchSize, false, 0, model.dtype());
        BatchBuffer chunkInputs = new BatchBuffer(model.dtype(), model.inputShape());
        BatchBuffer outputs = new BatchBuffer(model.dtype(), model.outputShape());
        int chunk = inferenceChunk(batchSize);
        batches.startEpoch();
        double lossSum = 0;
        long correct = 0;
        boolean classes = true;
        while (batches.hasNext()) {
            int n = batches.nextSize();
            Tensor targets = batches.targets();
            Tensor out = forwardInChunks(batches.inputs(), chunk, chunkInputs, outputs);
            lossSum += (loss.compute(out, targets, null) + model.regularizationLoss()) * n;
            classes &= Accuracy.applies(out, targets);
            if (classes) {
                correct += Accuracy.correct(out, targets);
            }
            batches.advance();
        }
        return new Evaluation(lossSum / data.size(), classes ? (double) correct / data.size() : Double.NaN, data.size());
    }

    /**
     * The model's outputs for every sample of {@code data}, in order and in evaluation mode, {@code batchSize}
     * samples at a time (no more than the largest training batch): {@link Model#predict} for a dataset, whose inputs
     * are gathered batch by batch rather than all at once (a new tensor of outputs).
     */
    public Tensor predict(Dataset data, int batchSize) {
        boolean acquired = model.acquire("predict");
        try {
            model.checkBatch(data.sampleShape().withBatch(data.size()));
            MiniBatches batches = new MiniBatches(data, inferenceChunk(batchSize), false, 0, model.dtype());
            Tensor result = Tensor.zeros(model.dtype(), model.outputShape().withBatch(data.size()));
            int sampleOut = model.outputShape().size();
            batches.startEpoch();
            int start = 0;
            while (batches.hasNext()) {
                int n = batches.nextSize();
                Tensor out = model.forward(batches.inputs(), false);
                Tensor.copy(out, 0, result, start * sampleOut, n * sampleOut);
                start += n;
                batches.advance();
            }
            return result;
        } finally {
            model.release(acquired);
        }
    }

    /** How many samples an evaluation or prediction batch of {@code batchSize} runs through the model at once. */
    private int inferenceChunk(int batchSize) {
        return largestTrainingBatch > 0 ? Math.min(batchSize, largestTrainingBatch) : batchSize;
    }

    /** The model's outputs (evaluation mode) for the batch {@code inputs}, computed {@code chunk} samples at a time. */
    private Tensor forwardInChunks(Tensor inputs, int chunk, BatchBuffer chunkInputs, BatchBuffer outputs) {
        int n = inputs.batch();
        if (n <= chunk) {
            return model.forward(inputs, false);
        }
        Tensor result = outputs.get(n);
        int sampleIn = model.inputShape().size();
        int sampleOut = model.outputShape().size();
        for (int start = 0; start < n; start += chunk) {
            int count = Math.min(chunk, n - start);
            Tensor part = chunkInputs.get(count);
            Tensor.copy(inputs, start * sampleIn, part, 0, count * sampleIn);
            Tensor out = model.forward(part, false);
            Tensor.copy(out, 0, result, start * sampleOut, count * sampleOut);
        }
        return result;
    }
}
