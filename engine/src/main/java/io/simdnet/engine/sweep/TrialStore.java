package io.simdnet.engine.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.simdnet.engine.io.AtomicFiles;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * A sweep's finished trials on disk, one JSON file per trial ({@code trial-0007.json}) written whole or not at all
 * (a temporary file renamed into place), as each trial ends: a stopped sweep keeps them, and a resumed one runs only
 * the trials that have none. A result is reused only if it was made by the same trial (its hyperparameters and seed).
 *
 * @param <R> the result kept per trial
 */
public final class TrialStore<R extends Serializable> {

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().serializeNulls().setPrettyPrinting().create();

    private final Path dir;
    private final Class<R> type;
    private final Function<R, ? extends Trial<R>> trialOf;

    /**
     * @param trialOf the trial a stored result was made by, compared with the sweep's trial of the same index
     */
    public TrialStore(Path dir, Class<R> type, Function<R, ? extends Trial<R>> trialOf) {
        this.dir = dir;
        this.type = type;
        this.trialOf = trialOf;
    }

    public Path dir() {
        return dir;
    }

    public Path file(int index) {
        return dir.resolve(String.format(Locale.ROOT, "trial-%04d.json", index));
    }

    /**
     * The stored result of {@code trial}, if one was stored by that same trial. A file that does not parse, or that
     * another trial made (the sweep's options changed), is refused with a message naming it: resuming silently with
     * another sweep's numbers would mix two experiments.
     */
    public Optional<R> find(Trial<R> trial) {
        Path file = file(trial.index());
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        R result;
        try {
            result = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the finished trial " + file, e);
        } catch (RuntimeException e) {
            // Gson's parse errors, and what a record's constructor refuses (wrapped by Gson in a plain RuntimeException).
            throw new IllegalArgumentException(file + ": not a finished trial's result (" + e.getMessage() + "); delete it to run that trial again",
                    e);
        }
        if (result == null || !trial.equals(trialOf.apply(result))) {
            throw new IllegalArgumentException(file + " holds " + (result == null ? "nothing" : "trial " + trialOf.apply(result)) + ", but this sweep's trial "
                    + trial.index() + " is " + trial + "; resume with the sweep's original options");
        }
        return Optional.of(result);
    }

    /** Stores {@code result} of {@code trial} atomically; an earlier file of that trial is replaced. */
    public void store(Trial<R> trial, R result) {
        Path target = file(trial.index());
        try {
            AtomicFiles.removeStaleTemporaries(target);
            AtomicFiles.writeString(target, GSON.toJson(result, type));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store trial " + trial.index() + " in " + dir, e);
        }
    }
}
