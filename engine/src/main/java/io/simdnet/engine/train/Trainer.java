package io.simdnet.engine.train;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Tensor;
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
    private boolean stopRequested;
    private volatile boolean interruptRequested;
    private int lastCorrect;
    /**
     * The largest batch a step has been taken on, 0 before the first. Evaluation and prediction run their forward
     * passes at most this many samples at a time: every layer keeps its buffers at the largest batch it has seen, so a
     * validation batch of 256 or a test batch of 500 would leave each layer with buffers several times the training
     * ones (over 700 MB more in cifar-best). In evaluation mode a sample's outputs do not depend on the samples beside
     * it, so losses, accuracies and outputs are the same as in one pass, bit for bit; TrainerTest holds them to it.
     */
    private int largestTrainingBatch;

    public Trainer(Model model, Loss loss, Optimizer optimizer) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.parameters = model.trainableParameters();
        this.outputGradient = new BatchBuffer(model.dtype(), model.outputShape());
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

    /** Asks {@code fit} to stop after the current epoch (early stopping). */
    public void stopTraining() {
        stopRequested = true;
    }

    /** Whether a callback asked to stop ({@link #stopTraining}); trainers outside this class (data-parallel ones) check it. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** One step on one batch; returns its loss (with regularisation). */
    public double trainStep(Tensor inputs, Tensor targets) {
        boolean acquired = model.acquire("training");
        try {
            return trainStepUnguarded(inputs, targets);
        } finally {
            model.release(acquired);
        }
    }

    private double trainStepUnguarded(Tensor inputs, Tensor targets) {
        largestTrainingBatch = Math.max(largestTrainingBatch, inputs.batch());
        Tensor out = model.forward(inputs, true);
        Tensor gradient = outputGradient.get(out.batch());
        double value = loss.compute(out, targets, gradient) + model.regularizationLoss();
        lastCorrect = Accuracy.applies(out, targets) ? Accuracy.correct(out, targets) : -1;
        if (!Double.isFinite(value)) {
            return value;
        }
        model.backward(gradient);
        optimizer.step(parameters);
        return value;
    }

    /**
     * Asks a running {@code fit} (from any thread: a signal handler) to stop after the step in progress: it writes its
     * checkpoint, if it has one, and throws {@link TrainingInterruptedException}.
     */
    public void requestStop() {
        interruptRequested = true;
    }

    /**
     * Trains for {@code options.epochs()} epochs (continuing a checkpointed run with {@link FitOptions#resume}). A NaN
     * or infinite loss throws {@link NonFiniteLossException} carrying the history up to the step before it.
     */
    public History fit(Dataset train, FitOptions options) {
        boolean acquired = model.acquire("training");
        try {
            return fitChecked(train, options);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            model.release(acquired);
        }
    }

    private History fitChecked(Dataset train, FitOptions options) throws java.io.IOException {
        List<Dataset> data = options.trainAndValidation(train);
        Dataset trainData = data.get(0);
        Dataset validation = data.get(1);
        model.checkBatch(trainData.sampleShape().withBatch(trainData.size()));
        MiniBatches batches = new MiniBatches(trainData, options.batchSize(), options.shuffle(), options.seed(), model.dtype(),
                options.augmentation());
        List<Callback> callbacks = new ArrayList<>(options.callbacks());
        if (options.progressBar()) {
            callbacks.add(new ProgressBarCallback());
        }
        History history = new History();
        stopRequested = false;
        Path checkpoint = options.checkpointFile();
        // Counted in steps (when given) or in epochs; a run of N steps ends inside the epoch that reaches N.
        long maxSteps = options.steps() > 0 ? options.steps() : Long.MAX_VALUE;
        int epochs = options.steps() > 0 ? (int) Math.ceilDiv(options.steps(), batches.batchesPerEpoch()) : options.epochs();
        for (Callback c : callbacks) {
            c.onTrainBegin(this, epochs, batches.batchesPerEpoch());
        }
        // Restored after onTrainBegin: a schedule reads the optimiser's initial rate there, not the checkpoint's.
        TrainingCheckpoint.Position resumed = options.resumeFile() == null ? null
                : TrainingCheckpoint.restore(options.resumeFile(), this, batches, options, trainData.size(), history);
        if (checkpoint != null) {
            TrainingCheckpoint.removeStaleTemporaries(checkpoint);
        }
        int firstEpoch = resumed == null ? 0 : resumed.epoch();
        stopRequested = resumed != null && resumed.finished();
        long stepsDone = resumed == null ? 0 : (long) resumed.epoch() * batches.batchesPerEpoch() + resumed.step();
        for (int epoch = firstEpoch; epoch < epochs && !stopRequested; epoch++) {
            for (Callback c : callbacks) {
                c.onEpochBegin(this, epoch);
            }
            boolean continuing = resumed != null && epoch == resumed.epoch();
            double previousSeconds = continuing ? resumed.seconds() : 0;
            long start = System.nanoTime();
            double lossSum = continuing ? resumed.lossSum() : 0;
            long correct = continuing ? resumed.correct() : 0;
            boolean classes = !continuing || resumed.classes();
            batches.startEpoch();
            int firstStep = continuing ? resumed.step() : 0;
            // Only an epoch's last batch is short, so the samples of the steps before a resumed one are whole batches.
            long seen = Math.min((long) firstStep * options.batchSize(), trainData.size());
            for (int skip = 0; skip < firstStep; skip++) {
                batches.advance();
            }
            for (int step = firstStep; batches.hasNext() && stepsDone < maxSteps; step++, stepsDone++) {
                if (interruptRequested) {
                    interruptRequested = false;
                    double seconds = previousSeconds + (System.nanoTime() - start) / 1e9;
                    if (checkpoint != null) {
                        TrainingCheckpoint.save(checkpoint, this, batches, options, trainData.size(),
                                new TrainingCheckpoint.Position(epoch, step, lossSum, correct, classes, seconds, false), history);
                    }
                    throw new TrainingInterruptedException(epoch, step, history, checkpoint);
                }
                int n = batches.nextSize();
                double value = trainStep(batches.inputs(), batches.targets());
                if (!Double.isFinite(value)) {
                    throw new NonFiniteLossException(epoch, step, value, history);
                }
                batches.advance();
                history.addStep(value);
                lossSum += value * n;
                seen += n;
                classes &= lastCorrect >= 0;
                correct += Math.max(lastCorrect, 0);
                for (Callback c : callbacks) {
                    c.onBatchEnd(this, epoch, step, value, n);
                }
            }
            double seconds = previousSeconds + (System.nanoTime() - start) / 1e9;
            Evaluation val = validation == null ? null : evaluate(validation, options.validationBatchSize());
            EpochLogs logs = new EpochLogs(epoch, lossSum / seen, classes ? (double) correct / seen : Double.NaN,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), optimizer.learningRate(), seconds,
                    seen / seconds);
            history.addEpoch(logs);
            for (Callback c : callbacks) {
                c.onEpochEnd(this, logs);
            }
            if (checkpoint != null && ((epoch + 1) % options.checkpointEvery() == 0 || epoch + 1 >= epochs || stopRequested)) {
                // Only early stopping ends a run for good; one that ran its epochs may be resumed with more.
                TrainingCheckpoint.save(checkpoint, this, batches, options, trainData.size(),
                        new TrainingCheckpoint.Position(epoch + 1, 0, 0, 0, true, 0, stopRequested), history);
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(this, history);
        }
        return history;
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
