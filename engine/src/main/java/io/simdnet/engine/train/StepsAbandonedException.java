package io.simdnet.engine.train;

/**
 * Thrown by a {@link StepSource} that could not take the steps asked of it and changed nothing (a cluster's round
 * lost because the JVM is shutting down on SIGTERM, which stops Spark's context as well): the training loop stops as
 * {@link Trainer#interrupt} would have stopped it just before those steps, checkpoint included.
 */
public final class StepsAbandonedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StepsAbandonedException(String message, Throwable cause) {
        super(message, cause);
    }
}
