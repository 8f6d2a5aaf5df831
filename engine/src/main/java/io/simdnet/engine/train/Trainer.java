package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Tensor;
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
    private int lastCorrect;

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

    public History fit(Dataset train, FitOptions options) {
        List<Dataset> data = options.trainAndValidation(train);
        Dataset trainData = data.get(0);
        Dataset validation = data.get(1);
        model.checkBatch(trainData.inputs());
        MiniBatches batches = new MiniBatches(trainData, options.batchSize(), options.shuffle(), options.seed(), model.dtype(),
                options.augmentation());
        List<Callback> callbacks = new ArrayList<>(options.callbacks());
        if (options.progressBar()) {
            callbacks.add(new ProgressBarCallback());
        }
        History history = new History();
        stopRequested = false;
        long maxSteps = options.steps() > 0 ? options.steps() : Long.MAX_VALUE;
        int epochs = options.steps() > 0 ? (int) Math.ceilDiv(options.steps(), batches.batchesPerEpoch()) : options.epochs();
        long stepsDone = 0;
        for (Callback c : callbacks) {
            c.onTrainBegin(this, epochs, batches.batchesPerEpoch());
        }
        for (int epoch = 0; epoch < epochs && !stopRequested; epoch++) {
            for (Callback c : callbacks) {
                c.onEpochBegin(this, epoch);
            }
            long start = System.nanoTime();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            boolean classes = true;
            batches.startEpoch();
            for (int step = 0; batches.hasNext() && stepsDone < maxSteps; step++, stepsDone++) {
                int n = batches.nextSize();
                double value = trainStep(batches.inputs(), batches.targets());
                if (!Double.isFinite(value)) {
                    throw new NonFiniteLossException(epoch, step, value);
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
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation val = validation == null ? null : evaluate(validation, options.validationBatchSize());
            EpochLogs logs = new EpochLogs(epoch, lossSum / seen, classes ? (double) correct / seen : Double.NaN,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), optimizer.learningRate(), seconds,
                    seen / seconds);
            history.addEpoch(logs);
            for (Callback c : callbacks) {
                c.onEpochEnd(this, logs);
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(this, history);
        }
        return history;
    }

    /** Mean loss (with regularisation) and accuracy over {@code data} in evaluation mode. */
    public Evaluation evaluate(Dataset data, int batchSize) {
        model.checkBatch(data.inputs());
        MiniBatches batches = new MiniBatches(data, batchSize, false, 0, model.dtype());
        batches.startEpoch();
        double lossSum = 0;
        long correct = 0;
        boolean classes = true;
        while (batches.hasNext()) {
            int n = batches.nextSize();
            Tensor targets = batches.targets();
            Tensor out = model.forward(batches.inputs(), false);
            lossSum += (loss.compute(out, targets, null) + model.regularizationLoss()) * n;
            classes &= Accuracy.applies(out, targets);
            if (classes) {
                correct += Accuracy.correct(out, targets);
            }
            batches.advance();
        }
        return new Evaluation(lossSum / data.size(), classes ? (double) correct / data.size() : Double.NaN, data.size());
    }
}
