package io.simdnet.examples;

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
}
