package io.simdnet.engine.train;

/**
 * What one epoch measured. Accuracies are NaN when the task has no classes; validation values are NaN without
 * validation data. Train loss and accuracy are averaged over the epoch's batches as they were trained (Keras'
 * convention), so they lag the end-of-epoch weights slightly.
 */
public record EpochLogs(int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
        double learningRate, double seconds, double samplesPerSecond) {

    /** The value a callback monitors: {@code loss}, {@code accuracy}, {@code val_loss} or {@code val_accuracy}. */
    public double metric(String name) {
        return switch (name) {
            case "loss" -> trainLoss;
            case "accuracy" -> trainAccuracy;
            case "val_loss" -> validationLoss;
            case "val_accuracy" -> validationAccuracy;
            default -> throw new IllegalArgumentException("Unknown metric \"" + name + "\"; expected loss, accuracy, val_loss or val_accuracy");
        };
    }
}
