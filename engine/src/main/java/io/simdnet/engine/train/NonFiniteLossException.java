package io.simdnet.engine.train;

/** Training stopped because a loss was NaN or infinite. */
public final class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int step;
    private final transient History history;

    public NonFiniteLossException(int epoch, int step, double loss) {
        this(epoch, step, loss, null);
    }

    /** With the history up to the step before the failing one (what a run folder should keep). */
    public NonFiniteLossException(int epoch, int step, double loss, History history) {
        super("Loss is " + loss + " at epoch " + (epoch + 1) + ", step " + (step + 1)
                + "; training stopped (try a smaller learning rate, gradient clipping, or check the data for NaN)");
        this.epoch = epoch;
        this.step = step;
        this.history = history;
    }

    /** The epochs and step losses before the failing step; null when not known. */
    public History history() {
        return history;
    }

    /** Counted from 0. */
    public int epoch() {
        return epoch;
    }

    /** Counted from 0 within the epoch. */
    public int step() {
        return step;
    }
}
