package io.simdnet.engine.train;

/** Training stopped because a loss was NaN or infinite. */
public final class NonFiniteLossException extends RuntimeException {

    private final int epoch;
    private final int step;

    public NonFiniteLossException(int epoch, int step, double loss) {
        super("Loss is " + loss + " at epoch " + (epoch + 1) + ", step " + (step + 1)
                + "; training stopped (try a smaller learning rate, gradient clipping, or check the data for NaN)");
        this.epoch = epoch;
        this.step = step;
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
