package io.simdnet.engine.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that cannot be read as what it claims to be: a wrong magic number, a truncated body, trailing bytes, a
 * label out of range. The message starts with the file and says what was expected and what came, so that a log line
 * alone identifies the fault.
 */
public final class MalformedDataException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public MalformedDataException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public MalformedDataException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }
}
