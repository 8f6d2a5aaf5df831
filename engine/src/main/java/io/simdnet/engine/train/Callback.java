package io.simdnet.engine.train;

/** Hooks into {@code fit}, as Keras callbacks. Every method does nothing by default. */
public interface Callback {

    default void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
    }

    default void onEpochBegin(Trainer trainer, int epoch) {
    }

    /** After each training step; {@code loss} is that batch's loss. */
    default void onBatchEnd(Trainer trainer, int epoch, int step, double loss, int batchSize) {
    }

    /** After each epoch (and its validation); call {@link Trainer#stopAfterEpoch()} to end {@code fit} here. */
    default void onEpochEnd(Trainer trainer, EpochLogs logs) {
    }

    default void onTrainEnd(Trainer trainer, History history) {
    }
}
