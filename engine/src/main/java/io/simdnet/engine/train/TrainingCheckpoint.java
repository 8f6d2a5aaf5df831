package io.simdnet.engine.train;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.io.AtomicFiles;
import io.simdnet.engine.io.Checkpoint;
import io.simdnet.engine.io.CorruptCheckpointException;
import io.simdnet.engine.io.SafeTensors;
import io.simdnet.engine.io.SafeTensorsContents;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code fit} needs to continue a run exactly, in one checkpoint file beside the weights and optimiser
 * state ({@link Checkpoint}): the epoch and the step within it, the augmentation and dropout streams as they are
 * now, the partial sums of the epoch, and the history so far. The shuffling order is not stored: it follows from the
 * seed and the epoch, and is replayed. Resuming from it gives the same final weights, bit for bit, as a run that was never stopped.
 */
final class TrainingCheckpoint {

    private static final String P = Checkpoint.EXTRA_PREFIX;
    private static final int LOG_FIELDS = 8;

    /** Where a run stands: {@code epoch} counted from 0, {@code step} batches of it done (0 at its start). */
    record Position(int epoch, int step, double lossSum, long seen, long correct, boolean classes, double seconds, boolean finished) {
    }

    private TrainingCheckpoint() {
    }

    static void save(Path file, Trainer trainer, StepSource source, FitOptions options, int trainSize, Position at, History history)
            throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(P + "epoch", Integer.toString(at.epoch()));
        metadata.put(P + "step", Integer.toString(at.step()));
        metadata.put(P + "loss_sum", Double.toString(at.lossSum()));
        metadata.put(P + "seen", Long.toString(at.seen()));
        metadata.put(P + "correct", Long.toString(at.correct()));
        metadata.put(P + "classes", Boolean.toString(at.classes()));
        metadata.put(P + "seconds", Double.toString(at.seconds()));
        metadata.put(P + "finished", Boolean.toString(at.finished()));
        metadata.put(P + "batch_size", Integer.toString(options.batchSize()));
        metadata.put(P + "seed", Long.toString(options.seed()));
        metadata.put(P + "train_size", Integer.toString(trainSize));
        metadata.put(P + "steps_by", source.kind());
        metadata.put(P + "steps_budget", Long.toString(options.steps()));
        source.checkpointState().forEach((key, value) -> metadata.put(P + key, value));
        trainer.model().randomStreams().forEach((layer, rng) -> metadata.put(P + "rng.layer." + layer, formatRng(rng.state())));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        double[] losses = history.stepLosses();
        if (losses.length > 0) {
            tensors.put(P + "step_losses", Tensor.of(losses, losses.length));
        }
        List<EpochLogs> epochs = history.epochs();
        if (!epochs.isEmpty()) {
            double[] logs = new double[epochs.size() * LOG_FIELDS];
            for (int i = 0; i < epochs.size(); i++) {
                EpochLogs e = epochs.get(i);
                System.arraycopy(new double[] {e.epoch(), e.trainLoss(), e.trainAccuracy(), e.validationLoss(), e.validationAccuracy(),
                    e.learningRate(), e.seconds(), e.samplesPerSecond()}, 0, logs, i * LOG_FIELDS, LOG_FIELDS);
            }
            tensors.put(P + "epoch_logs", Tensor.of(logs, epochs.size(), LOG_FIELDS));
        }
        Checkpoint.save(file, trainer.model(), trainer.optimizer(), metadata, tensors);
    }

    /**
     * Checks {@code file} against the trainer, the batches and the options, then restores model, optimiser, random
     * streams and history, and returns where to continue. Nothing changes when anything is wrong. Temporary files
     * that a killed write left beside the checkpoint are removed first.
     */
    static Position restore(Path file, Trainer trainer, StepSource source, FitOptions options, int trainSize, History history)
            throws IOException {
        AtomicFiles.removeStaleTemporaries(file);
        SafeTensorsContents contents = SafeTensors.read(file);
        Checkpoint.Restore weights = Checkpoint.prepare(file, contents, trainer.model(), trainer.optimizer());
        Map<String, String> m = contents.metadata();
        int batchSize = (int) Checkpoint.parseLong(file, m, P + "batch_size");
        long seed = Checkpoint.parseLong(file, m, P + "seed");
        int size = (int) Checkpoint.parseLong(file, m, P + "train_size");
        if (batchSize != options.batchSize() || seed != options.seed() || size != trainSize) {
            throw new IllegalArgumentException("Cannot resume from " + file + ": it was trained with batch size " + batchSize + ", seed " + seed + " on "
                    + size + " samples, this run has batch size " + options.batchSize() + ", seed " + options.seed() + " on " + trainSize
                    + " samples; use the same options");
        }
        String kind = m.getOrDefault(P + "steps_by", LocalSteps.KIND);
        if (!kind.equals(source.kind())) {
            throw new IllegalArgumentException("Cannot resume from " + file + ": it was trained by " + kind + " steps, this run takes "
                    + source.kind() + " steps; resume it the way it was started (with or without --master)");
        }
        // A run counted in steps ends wherever its budget does: only the same budget continues it step for step.
        long budget = m.containsKey(P + "steps_budget") ? range(file, m, "steps_budget", 0, Long.MAX_VALUE) : 0;
        if (budget != options.steps()) {
            throw new IllegalArgumentException("Cannot resume from " + file + ": it was trained " + (budget > 0 ? "for " + budget + " steps" : "in epochs")
                    + ", this run " + (options.steps() > 0 ? "for " + options.steps() + " steps" : "in epochs") + "; use the same options");
        }
        int epoch = (int) range(file, m, "epoch", 0, Integer.MAX_VALUE);
        // The source's own options first (a data-parallel run's workers and K): they decide the steps an epoch has.
        Map<String, String> sourceState = new LinkedHashMap<>();
        m.forEach((key, value) -> {
            if (key.startsWith(P)) {
                sourceState.put(key.substring(P.length()), value);
            }
        });
        Runnable restoreSource = source.prepareRestore(file, sourceState, epoch);
        int steps = source.stepsPerEpoch();
        int step = (int) range(file, m, "step", 0, steps - 1);
        if (step % source.stepsPerCall() != 0) {
            throw new IllegalArgumentException("Cannot resume from " + file + ": it stopped at step " + step + ", but this run takes its steps "
                    + source.stepsPerCall() + " at a time; use the same options");
        }
        // Checkpoints from before "seen" was kept: only an epoch's last batch is short, so the steps before are whole batches.
        long seen = m.containsKey(P + "seen") ? range(file, m, "seen", 0, Long.MAX_VALUE) : Math.min((long) step * batchSize, trainSize);
        Position at = new Position(epoch, step, Checkpoint.parseDouble(file, m, P + "loss_sum"), seen, range(file, m, "correct", 0, Long.MAX_VALUE),
                bool(file, m, "classes"), Checkpoint.parseDouble(file, m, P + "seconds"), bool(file, m, "finished"));
        Map<String, long[]> layerStreams = new LinkedHashMap<>();
        for (String layer : trainer.model().randomStreams().keySet()) {
            layerStreams.put(layer, rng(file, m, "rng.layer." + layer));
        }
        Map<String, Tensor> tensors = contents.tensors();
        double[] losses = tensors.containsKey(P + "step_losses") ? vector(file, tensors.get(P + "step_losses"), "step_losses") : new double[0];
        List<EpochLogs> epochs = new ArrayList<>();
        Tensor logs = tensors.get(P + "epoch_logs");
        if (logs != null) {
            if (logs.shape().rank() != 2 || logs.shape().dim(1) != LOG_FIELDS) {
                throw new CorruptCheckpointException(file, "\"" + P + "epoch_logs\" has shape " + logs.shape() + ", expected (epochs, " + LOG_FIELDS + ")");
            }
            double[] v = logs.toDoubleArray();
            for (int i = 0; i < logs.shape().dim(0); i++) {
                int o = i * LOG_FIELDS;
                epochs.add(new EpochLogs((int) v[o], v[o + 1], v[o + 2], v[o + 3], v[o + 4], v[o + 5], v[o + 6], v[o + 7]));
            }
        }
        if (epochs.size() != epoch) {
            throw new CorruptCheckpointException(file, "\"" + P + "epoch_logs\" holds " + epochs.size() + " epochs, but \"" + P + "epoch\" is " + epoch);
        }
        long stepsDone = (long) epoch * steps + step;
        // A run counted in steps ends inside its last epoch: a checkpoint written at its end holds exactly that budget.
        long expected = options.steps() > 0 && stepsDone > options.steps() ? options.steps() : stepsDone;
        if (losses.length != expected) {
            throw new CorruptCheckpointException(file, "\"" + P + "step_losses\" holds " + losses.length + " steps, expected " + expected
                    + " (epoch " + epoch + " × " + steps + " steps + " + step + (expected < stepsDone ? ", capped at the run's " + options.steps() + " steps" : "")
                    + ")");
        }
        // Everything is checked: from here on nothing can fail.
        weights.apply();
        restoreSource.run();
        layerStreams.forEach((layer, state) -> trainer.model().randomStreams().get(layer).restore(state));
        history.restore(losses, epochs);
        return at;
    }

    static String formatRng(long[] state) {
        return Long.toHexString(state[0]) + ":" + Long.toHexString(state[1]);
    }

    /** A random stream's state from a source's checkpoint state (keys without the prefix). */
    static long[] parseRng(Path file, Map<String, String> state, String key) throws CorruptCheckpointException {
        return rngOf(file, P + key, state.get(key));
    }

    private static long[] rng(Path file, Map<String, String> m, String key) throws CorruptCheckpointException {
        return rngOf(file, P + key, m.get(P + key));
    }

    /** {@code text}, metadata {@code fullKey}'s value (null: missing), as a random stream's state. */
    private static long[] rngOf(Path file, String fullKey, String text) throws CorruptCheckpointException {
        if (text == null) {
            throw new CorruptCheckpointException(file, "metadata \"" + fullKey + "\" is missing");
        }
        String[] parts = text.split(":", -1);
        try {
            if (parts.length == 2) {
                long[] state = {Long.parseUnsignedLong(parts[0], 16), Long.parseUnsignedLong(parts[1], 16)};
                Rng.fromState(state);
                return state;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new CorruptCheckpointException(file, "metadata \"" + fullKey + "\" is \"" + text + "\", expected a random stream's state as hex seed:gamma (odd)");
    }

    private static long range(Path file, Map<String, String> m, String key, long min, long max) throws CorruptCheckpointException {
        long value = Checkpoint.parseLong(file, m, P + key);
        if (value < min || value > max) {
            throw new CorruptCheckpointException(file, "metadata \"" + P + key + "\" is " + value + ", expected " + min + ".." + max);
        }
        return value;
    }

    private static boolean bool(Path file, Map<String, String> m, String key) throws CorruptCheckpointException {
        String text = Checkpoint.require(file, m, P + key);
        if (!text.equals("true") && !text.equals("false")) {
            throw new CorruptCheckpointException(file, "metadata \"" + P + key + "\" is \"" + text + "\", expected true or false");
        }
        return Boolean.parseBoolean(text);
    }

    private static double[] vector(Path file, Tensor t, String name) throws CorruptCheckpointException {
        if (t.shape().rank() != 1) {
            throw new CorruptCheckpointException(file, "\"" + P + name + "\" has shape " + t.shape() + ", expected a vector");
        }
        return t.toDoubleArray();
    }
}
