package io.simdnet.cli;

/**
 * A run that ended early for a reason the user should read in one line (divergence, a stop by signal), with the exit
 * code the command returns: {@link #DIVERGED} or {@link #STOPPED}. Whatever the run produced is in its folder.
 */
final class RunFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The loss became NaN or infinite. */
    static final int DIVERGED = 3;
    /** Stopped by SIGTERM or Ctrl-C after writing its checkpoint (the shell's code for SIGINT). */
    static final int STOPPED = 130;

    private final int exitCode;

    RunFailedException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /**
     * What a run that diverged or was stopped leaves: the history so far in its folder ({@code metrics.csv},
     * {@code step_losses.csv}; for a divergence also {@code metrics.json} with the error), and the one line to print.
     */
    static RunFailedException ended(RuntimeException e, RunFolder folder, String experiment) throws java.io.IOException {
        if (e instanceof io.simdnet.engine.train.NonFiniteLossException diverged) {
            folder.writeHistoryCsv(diverged.history());
            java.util.Map<String, Object> metrics = new java.util.LinkedHashMap<>();
            metrics.put("experiment", experiment);
            metrics.put("status", "diverged");
            metrics.put("error", diverged.getMessage());
            metrics.put("completed_steps", diverged.history().steps());
            folder.writeJson("metrics.json", metrics);
            return new RunFailedException(diverged.getMessage() + ". The run folder keeps the metrics of every step before it: " + folder.dir(),
                    DIVERGED, diverged);
        }
        io.simdnet.engine.train.TrainingInterruptedException stopped = (io.simdnet.engine.train.TrainingInterruptedException) e;
        folder.writeHistoryCsv(stopped.history());
        return new RunFailedException(stopped.getMessage() + ". Continue with the same options and --resume " + folder.dir(), STOPPED, stopped);
    }
}
