package io.simdnet.cli;

import com.google.gson.GsonBuilder;
import io.simdnet.engine.io.AtomicFiles;
import io.simdnet.engine.profile.ProfileReport;
import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.History;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * The folder one run writes: a new directory per run (name and start time, with a counter if needed), so no run
 * overwrites another; every file is written under a temporary name and moved into place, so none is ever
 * half-written.
 */
final class RunFolder {

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    static RunFolder create(Path parent, String name) throws IOException {
        try {
            Files.createDirectories(parent);
        } catch (java.nio.file.FileAlreadyExistsException file) {
            throw new IOException("--out " + parent + ": is a file, expected a folder for the run folders");
        } catch (IOException e) {
            throw new IOException("--out " + parent + ": cannot create the folder (" + Failures.reason(e) + ")", e);
        }
        if (!Files.isWritable(parent)) {
            throw new IOException("--out " + parent + ": the folder is not writable");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        for (int attempt = 0; ; attempt++) {
            Path candidate = parent.resolve(name + "-" + stamp + (attempt == 0 ? "" : "-" + attempt));
            try {
                return new RunFolder(Files.createDirectory(candidate));
            } catch (FileAlreadyExistsException taken) {
                // Another run started in the same second: take the next name.
            } catch (IOException e) {
                throw new IOException("--out " + parent + ": cannot create the run folder " + candidate.getFileName() + " (" + Failures.reason(e) + ")", e);
            }
        }
    }

    /** The folder of an earlier run, to continue it ({@code --resume}); it must hold the run's checkpoint (a file or a folder). */
    static RunFolder open(Path dir, String checkpointName) throws IOException {
        requireResumable(dir, checkpointName);
        return new RunFolder(dir);
    }

    /** Checks that {@code dir} is the folder of an earlier run holding {@code checkpointName}, naming what is wrong. */
    static void requireResumable(Path dir, String checkpointName) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--resume " + dir + ": " + (Files.exists(dir) ? "is a file" : "does not exist")
                    + ", expected the folder of an earlier run (runs/<experiment>-<date>-<time>)");
        }
        if (!Files.exists(dir.resolve(checkpointName))) {
            throw new IllegalArgumentException("--resume " + dir + ": no " + checkpointName + " in it, expected the folder of a run that wrote a checkpoint");
        }
    }

    Path dir() {
        return dir;
    }

    /** Where a file of this run goes; write it through {@link #write} or to a temporary name first. */
    Path path(String name) {
        return dir.resolve(name);
    }

    void writeText(String name, String text) throws IOException {
        write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code name} (which may name a subfolder, {@code trials/trial-0.csv}) atomically. */
    void write(String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir.resolve(name).getParent());
        writeAtomically(dir.resolve(name), temp -> Files.write(temp, bytes));
    }

    /** Writes one file into a temporary file beside the target. */
    @FunctionalInterface
    interface FileWriter {
        void write(Path temp) throws IOException;
    }

    /**
     * Lets {@code writer} fill a temporary file in the target's folder, then renames it over the target, so the
     * target is never half-written; the temporary file is removed if anything fails. Its name keeps the target's
     * extension (XChart appends ".png" to names that lack it), and it is readable by everyone as a file written
     * directly would be (createTempFile makes it owner-only, and the rename keeps that).
     */
    static void writeAtomically(Path target, FileWriter writer) throws IOException {
        String name = target.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path temp;
        try {
            temp = Files.createTempFile(target.getParent(), "." + name, dot < 0 ? ".tmp" : name.substring(dot));
        } catch (IOException e) {
            throw new IOException(target + ": cannot write (" + Failures.reason(e) + ")", e);
        }
        try {
            try {
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows and other non-POSIX file systems keep their default permissions.
            }
            try {
                writer.write(temp);
            } catch (IOException e) {
                throw new IOException(target + ": writing failed (" + Failures.reason(e) + ")", e);
            }
            AtomicFiles.moveIntoPlace(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** metrics.csv: one row per epoch. */
    void writeHistoryCsv(History history) throws IOException {
        writeHistoryCsv(history, "");
    }

    /** As {@link #writeHistoryCsv(History)}, the file names starting with {@code prefix}. */
    void writeHistoryCsv(History history, String prefix) throws IOException {
        StringBuilder csv = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds,samples_per_second\n");
        for (EpochLogs e : history.epochs()) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.3f,%.1f%n", e.epoch() + 1, e.trainLoss(), e.trainAccuracy(),
                    e.validationLoss(), e.validationAccuracy(), e.learningRate(), e.seconds(), e.samplesPerSecond()));
        }
        writeText(prefix + "metrics.csv", csv.toString());
        StringBuilder steps = new StringBuilder("step,loss\n");
        double[] losses = history.stepLosses();
        for (int i = 0; i < losses.length; i++) {
            steps.append(i + 1).append(',').append(String.format(Locale.ROOT, "%.6f", losses[i])).append('\n');
        }
        writeText(prefix + "step_losses.csv", steps.toString());
    }

    /**
     * When the run was profiled ({@code --profile}, {@code profile} not null): prints the profile's table on {@code out} and writes it to
     * {@code <prefix>profile.csv} and {@code <prefix>profile.txt}.
     */
    void writeProfile(ProfileReport profile, String prefix, PrintStream out) throws IOException {
        if (profile == null) {
            return;
        }
        if (profile.rows().isEmpty() && profile.warmUpSteps() == 0) {
            out.println("Profile: no training step ran (the run had finished before), nothing to profile");
            return;
        }
        out.print(profile.table());
        writeText(prefix + "profile.csv", profile.csv());
        writeText(prefix + "profile.txt", profile.table());
    }

    /** metrics.json: the given values (NaN written as null). */
    void writeJson(String name, Map<String, Object> values) throws IOException {
        writeText(name, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(values)
                .replace("NaN", "null") + "\n");
    }
}
