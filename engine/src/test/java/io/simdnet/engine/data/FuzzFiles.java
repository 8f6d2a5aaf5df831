package io.simdnet.engine.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one file each fuzz test writes its input to (the readers take paths): under the system temporary folder,
 * reused for every execution, removed when the JVM exits.
 */
public final class FuzzFiles {

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("simdnet-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DIR.toFile().deleteOnExit();
    }

    private FuzzFiles() {
    }

    /** Writes {@code bytes} to the file {@code name} in the fuzz folder and returns it. */
    public static Path write(String name, byte[] bytes) {
        Path file = DIR.resolve(name);
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.toFile().deleteOnExit();
        return file;
    }
}
