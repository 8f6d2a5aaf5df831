package io.simdnet.cli;

import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.History;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * What one sweep trial measured, per epoch and per step, or why it failed; serialisable so that it comes back
 * from a Spark task. Equality compares every metric bit for bit (not the wall time, which no two runs share).
 */
public record TrialResult(SweepTrial trial, double[] trainLoss, double[] trainAccuracy, double[] validationLoss, double[] validationAccuracy,
        double[] stepLosses, double seconds, String failure) implements Serializable {

    private static final long serialVersionUID = 1L;

    static TrialResult of(SweepTrial trial, History history, double seconds) {
        List<EpochLogs> epochs = history.epochs();
        return new TrialResult(trial, epochs.stream().mapToDouble(EpochLogs::trainLoss).toArray(),
                epochs.stream().mapToDouble(EpochLogs::trainAccuracy).toArray(), epochs.stream().mapToDouble(EpochLogs::validationLoss).toArray(),
                epochs.stream().mapToDouble(EpochLogs::validationAccuracy).toArray(), history.stepLosses(), seconds, null);
    }

    /** A trial that threw: its message (the exception's class when it has none) stands in the table. */
    public static TrialResult failed(SweepTrial trial, Throwable error, double seconds) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getClass().getSimpleName() + ": " + error.getMessage();
        double[] none = new double[0];
        return new TrialResult(trial, none, none, none, none, none, seconds, message.replace('\n', ' ').replace('|', '/'));
    }

    public boolean ok() {
        return failure == null;
    }

    public double bestValidationAccuracy() {
        return Arrays.stream(validationAccuracy).max().orElse(Double.NaN);
    }

    public double lastValidationAccuracy() {
        return validationAccuracy.length == 0 ? Double.NaN : validationAccuracy[validationAccuracy.length - 1];
    }

    public double lastValidationLoss() {
        return validationLoss.length == 0 ? Double.NaN : validationLoss[validationLoss.length - 1];
    }

    /** Same trial, same failure and the same metrics bit for bit; the wall time is ignored. */
    public boolean sameMetrics(TrialResult other) {
        return trial.equals(other.trial) && java.util.Objects.equals(failure, other.failure) && Arrays.equals(trainLoss, other.trainLoss)
                && Arrays.equals(trainAccuracy, other.trainAccuracy) && Arrays.equals(validationLoss, other.validationLoss)
                && Arrays.equals(validationAccuracy, other.validationAccuracy) && Arrays.equals(stepLosses, other.stepLosses);
    }
}
