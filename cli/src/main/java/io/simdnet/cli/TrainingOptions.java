package io.simdnet.cli;

import io.simdnet.engine.train.Trainer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every trainer shares; each command sets its own defaults for epochs, batch size and learning rate. */
public final class TrainingOptions {

    @Option(names = "--data", paramLabel = "DIR",
            description = "Dataset folder (else $SIMDNET_DATA, then /usr/share/datasets, ./data, ../shared/datasets).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Parent folder of the run folder (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs");

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: the experiment's).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size (default: the experiment's).")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: the experiment's).")
    Double learningRate;

    @Option(names = "--seed", description = "Seed of weights, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all processors).")
    Integer threads;

    @Option(names = "--micro-batches", paramLabel = "N", description = "Split each training step's batch into N micro-batches that run "
            + "side by side, one per thread at a time (default: 2; 1: whole batches). Results depend on N, never on --threads; models with "
            + "batch norm always train on whole batches.")
    Integer microBatches;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training and N/5 test samples (smoke tests).")
    Integer limit;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from its checkpoint (written after every epoch and on Ctrl-C or SIGTERM); give the same options.")
    Path resume;

    @Option(names = "--no-progress", description = "No progress bar (one line per epoch only).")
    boolean noProgress;

    @Option(names = "--lr-decay", paramLabel = "FACTOR",
            description = "Multiply the learning rate by FACTOR every --lr-decay-every epochs (PyTorch's StepLR gamma; CS231n's lr_decay).")
    Double lrDecay;

    @Option(names = "--lr-decay-every", paramLabel = "EPOCHS", description = "Epochs between learning-rate decays (default: ${DEFAULT-VALUE}).")
    int lrDecayEvery = 1;

    @Option(names = "--l2", paramLabel = "C", description = "L2 penalty C·ΣW² on every dense and conv weight (Keras' l2(C); CS231n's reg R is C = R/2).")
    Double l2;

    @Option(names = "--l1", paramLabel = "C", description = "L1 penalty C·Σ|W| on every dense and conv weight (Keras' l1(C)).")
    Double l1;

    @Option(names = "--profile", description = "Profile the training steps (torch.profiler's key_averages): time per layer forward and backward, "
            + "per kernel (spec, algorithm) and outside the layers (data, loss, optimizer, callbacks, the pool's hand-overs); printed as a "
            + "table at the end and written to profile.csv in the run folder. The first tenth of the steps is left out as warm-up.")
    boolean profile;

    /** What a run folder must hold for {@code --resume}: the checkpoint, or a sweep's finished trials. */
    String resumeMarker = ClassificationRun.CHECKPOINT;

    /** For the commands that keep no checkpoint: {@code --resume} fails in one line saying why, instead of being ignored. */
    void refuseResume(String why) {
        if (resume != null) {
            throw new IllegalArgumentException("--resume: " + why + "; run it again instead");
        }
    }

    /** For the commands that train many models at once: {@code --profile} fails in one line saying why, instead of being ignored. */
    public void refuseMicroBatches(String why) {
        if (microBatches != null) {
            throw new IllegalArgumentException("--micro-batches: " + why);
        }
    }

    void refuseProfile(String why) {
        if (profile) {
            throw new IllegalArgumentException("--profile: " + why);
        }
    }

    /**
     * Checks every given option before anything slow happens (data loading takes seconds for CIFAR), so a typo fails
     * at once with the option's name.
     */
    void validate() {
        if (epochs != null) {
            positive("--epochs", epochs);
        }
        if (batchSize != null) {
            positive("--batch-size", batchSize);
        }
        if (learningRate != null) {
            learningRateOr(learningRate);
        }
        if (microBatches != null) {
            positive("--micro-batches", microBatches);
        }
        if (threads != null) {
            positive("--threads", threads);
        }
        if (limit != null) {
            positive("--limit", limit);
        }
        if (resume != null) {
            RunFolder.requireResumable(resume, resumeMarker);
        }
        if (out != null && java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + ": is a file, expected a folder for the run folders");
        }
    }

    int epochsOr(int fallback) {
        return positive("--epochs", epochs == null ? fallback : epochs);
    }

    int batchSizeOr(int fallback) {
        return positive("--batch-size", batchSize == null ? fallback : batchSize);
    }

    double learningRateOr(double fallback) {
        double rate = learningRate == null ? fallback : learningRate;
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + rate);
        }
        return rate;
    }

    private static int positive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
        return value;
    }

    /** {@code trainer} with {@code --micro-batches} applied, when given. */
    Trainer applyTo(Trainer trainer) {
        return microBatches == null ? trainer : trainer.microBatches(microBatches);
    }
}
