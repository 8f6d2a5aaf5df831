package io.simdnet.engine.train;

import io.simdnet.engine.io.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Saves the model (and optimiser state) after each epoch, or only when the monitored metric improves, as Keras'
 * ModelCheckpoint. Each save replaces the file atomically.
 */
public final class ModelCheckpoint implements Callback {

    private final Path file;
    private final String monitor;
    private final boolean bestOnly;
    private double best;
    private int saves;

    /** @param monitor metric for {@code bestOnly} ({@code val_loss}, {@code val_accuracy}, …) */
    public ModelCheckpoint(Path file, String monitor, boolean bestOnly) {
        new EpochLogs(0, 0, 0, 0, 0, 0, 0, 0).metric(monitor);
        this.file = file;
        this.monitor = monitor;
        this.bestOnly = bestOnly;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        best = monitor.endsWith("accuracy") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        double value = logs.metric(monitor);
        boolean improved = monitor.endsWith("accuracy") ? value > best : value < best;
        if (bestOnly && !improved) {
            return;
        }
        if (improved) {
            best = value;
        }
        try {
            Checkpoint.save(file, trainer.model(), trainer.optimizer());
            saves++;
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: cannot save " + file, e);
        }
    }

    /** How many times the file was written. */
    public int saves() {
        return saves;
    }
}
