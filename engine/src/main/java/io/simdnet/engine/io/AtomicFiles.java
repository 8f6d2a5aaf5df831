package io.simdnet.engine.io;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files written whole or not at all: the content goes to a temporary file beside the target ({@code <name>.tmp-<random>}),
 * reaches the disk, and is renamed over the target. A reader sees the old file or the new one, never half of one; what
 * a killed writer leaves is a temporary that {@link #removeStaleTemporaries} (or the next write) clears. Checkpoints,
 * tuning records, sweep results, data files and run outputs are all written this way.
 */
public final class AtomicFiles {

    /** Writes the content of a temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code target} through {@code content}, atomically; the parent folders are created. */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + ": is a folder, expected a file to write");
        }
        Files.createDirectories(absolute.getParent());
        Path temporary = createTemporary(absolute);
        try {
            content.writeTo(temporary);
            // Without this the rename can reach the disk before the data, and a crash leaves an empty file under the name.
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            moveIntoPlace(temporary, absolute);
        } catch (IOException | RuntimeException failure) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    /** Writes {@code text} (UTF-8) to {@code target}, atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, temporary -> Files.writeString(temporary, text, StandardCharsets.UTF_8));
    }

    /** Creates an empty file with a fresh name beside {@code target}. */
    public static Path createTemporary(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = target.resolveSibling(target.getFileName() + ".tmp-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
            try {
                // Create-new: two writers of the same file at once must never share a temporary.
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                if (attempt >= 9) {
                    throw taken;
                }
            }
        }
    }

    /** Renames {@code temporary} over {@code target}: atomically where the file system can. */
    public static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, ATOMIC_MOVE, REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException notAtomic) {
            Files.move(temporary, target, REPLACE_EXISTING);
        }
    }

    /** Deletes the temporaries of {@code target} that killed writes left ({@code <name>.tmp-*} beside it). */
    public static void removeStaleTemporaries(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, glob(target.getFileName() + ".tmp-") + "*")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String glob(String literal) {
        return literal.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }
}
