package io.simdnet.engine.train;

import java.io.PrintStream;
import java.util.Locale;

/** Prints one line per epoch: losses, accuracies, learning rate, time and throughput. */
public final class EpochLogger implements Callback {

    private final PrintStream out;
    private int epochs;

    public EpochLogger(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochCount, int stepsPerEpoch) {
        this.epochs = epochCount;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        out.println(format(logs, epochs));
    }

    static String format(EpochLogs logs, int epochs) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d  loss %.4f", logs.epoch() + 1, epochs, logs.trainLoss()));
        if (!Double.isNaN(logs.trainAccuracy())) {
            line.append(String.format(Locale.ROOT, "  acc %.4f", logs.trainAccuracy()));
        }
        if (!Double.isNaN(logs.validationLoss())) {
            line.append(String.format(Locale.ROOT, "  val_loss %.4f", logs.validationLoss()));
        }
        if (!Double.isNaN(logs.validationAccuracy())) {
            line.append(String.format(Locale.ROOT, "  val_acc %.4f", logs.validationAccuracy()));
        }
        line.append(String.format(Locale.ROOT, "  lr %.3g  %.1fs  %,.0f samples/s", logs.learningRate(), logs.seconds(), logs.samplesPerSecond()));
        return line.toString();
    }
}
