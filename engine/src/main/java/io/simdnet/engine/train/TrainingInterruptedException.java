package io.simdnet.engine.train;

import java.nio.file.Path;

/**
 * {@code fit} stopped between two steps because {@link Trainer#interrupt} was called (a SIGTERM or Ctrl-C
 * handler does), after writing its checkpoint when it has one: run {@code fit} again with
 * {@link FitOptions#resume} to continue exactly where it stopped.
 */
public final class TrainingInterruptedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int step;
    private final transient History history;
    private final transient Path checkpoint;

    TrainingInterruptedException(int epoch, int step, History history, Path checkpoint) {
        super("Training stopped at epoch " + (epoch + 1) + ", step " + step + (checkpoint == null ? " (no checkpoint configured)"
                : "; checkpoint " + checkpoint));
        this.epoch = epoch;
        this.step = step;
        this.history = history;
        this.checkpoint = checkpoint;
    }

    /** The epoch it stopped in, from 0. */
    public int epoch() {
        return epoch;
    }

    /** The steps of that epoch done before the stop: where a resumed run continues. */
    public int step() {
        return step;
    }

    /** What was trained before the stop. */
    public History history() {
        return history;
    }

    /** The checkpoint written at the stop, or null without one. */
    public Path checkpoint() {
        return checkpoint;
    }
}
