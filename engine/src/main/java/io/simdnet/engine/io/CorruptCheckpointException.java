package io.simdnet.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tensor file that cannot be loaded: malformed, truncated, or holding something the engine does not support. The
 * message starts with the file and says what was expected and what came, so a log line alone identifies the fault.
 */
public final class CorruptCheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public CorruptCheckpointException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CorruptCheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }
}
