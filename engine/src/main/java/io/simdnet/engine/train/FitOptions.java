package io.simdnet.engine.train;

import io.simdnet.engine.data.BatchTransform;
import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.profile.Profiler;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code fit} trains: epochs, batch size, the shuffling seed, optional validation data (or a fraction of the
 * training data held out, Keras' {@code validation_split}: the last samples, before shuffling), an augmentation of
 * the training batches, callbacks, and whether to show a progress bar.
 */
public final class FitOptions {

    private int epochs = 1;
    private int batchSize = 32;
    private long seed = 0;
    private boolean shuffle = true;
    private Dataset validation;
    private double validationSplit;
    private int validationBatchSize = 256;
    private final List<Callback> callbacks = new ArrayList<>();
    private boolean progressBar;
    private BatchTransform augmentation;
    private long steps;
    private java.nio.file.Path checkpoint;
    private java.nio.file.Path resume;
    private int checkpointEvery = 1;
    private boolean profile;
    private Profiler profiler;

    /**
     * A fit's own profiler leaves out the first 1/this of the run's steps as warm-up. Measured on LeNet-5 (batch 32):
     * the small kernels reach their compiled speed only after about a thousand steps (dense_1's GEMM takes ~100 µs
     * a call over the first epoch, 7 µs after 4,000 steps), so a fixed handful of steps would leave most of the JIT's
     * work in the table; a tenth keeps the kernel tuning and the interpreted first steps out, and most of a short run in.
     */
    static final int PROFILE_WARM_UP_FRACTION = 10;

    public FitOptions epochs(int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("epochs = " + value + ", expected > 0");
        }
        this.epochs = value;
        return this;
    }

    /**
     * Trains for exactly {@code value} optimiser steps (TensorFlow's {@code max_steps}): as many epochs as that
     * takes, the last one cut short, whatever {@link #epochs} says. 0 (the default) counts in epochs.
     */
    public FitOptions steps(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("steps = " + value + ", expected >= 0 (0: count in epochs)");
        }
        this.steps = value;
        return this;
    }

    public long steps() {
        return steps;
    }

    public FitOptions batchSize(int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("batch size = " + value + ", expected > 0");
        }
        this.batchSize = value;
        return this;
    }

    public FitOptions seed(long value) {
        this.seed = value;
        return this;
    }

    public FitOptions shuffle(boolean value) {
        this.shuffle = value;
        return this;
    }

    public FitOptions validation(Dataset data) {
        this.validation = data;
        return this;
    }

    /** Holds out this fraction of the training samples (the last ones) for validation. */
    public FitOptions validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation split = " + fraction + ", expected 0 <= split < 1");
        }
        this.validationSplit = fraction;
        return this;
    }

    public FitOptions validationBatchSize(int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("validation batch size = " + value + ", expected > 0");
        }
        this.validationBatchSize = value;
        return this;
    }

    public FitOptions callback(Callback callback) {
        callbacks.add(callback);
        return this;
    }

    /**
     * Changes every training batch after it is gathered (e.g. {@code new RandomCropFlip(4, true)}); validation and
     * {@code evaluate} always see the data as it is. Null for none.
     */
    public FitOptions augmentation(BatchTransform transform) {
        this.augmentation = transform;
        return this;
    }

    /**
     * Progress per epoch with loss and throughput on standard output ({@link ProgressBarCallback}): a bar on a
     * terminal, plain lines in a log or a pipe.
     */
    public FitOptions progressBar(boolean value) {
        this.progressBar = value;
        return this;
    }

    /**
     * Writes a training checkpoint to {@code file} (atomically) at the end of every epoch and when
     * {@link Trainer#interrupt} stops the run: weights, optimiser state, random streams, epoch, step and history.
     */
    public FitOptions checkpoint(java.nio.file.Path file) {
        this.checkpoint = file;
        return this;
    }

    /**
     * Continues the run saved in {@code file} by {@link #checkpoint}: same model, optimiser kind, data, batch size and
     * seed (checked), so the final weights equal those of a run that was never stopped, bit for bit.
     */
    public FitOptions resume(java.nio.file.Path file) {
        this.resume = file;
        return this;
    }

    /** Writes the {@link #checkpoint} only every {@code epochs} epochs (and after the last), for runs of many short epochs. */
    public FitOptions checkpointEvery(int epochs) {
        if (epochs <= 0) {
            throw new IllegalArgumentException("checkpoint every = " + epochs + " epochs, expected > 0");
        }
        this.checkpointEvery = epochs;
        return this;
    }

    /**
     * Profiles the fit's steps ({@link Profiler}): each layer's forward and backward, each kernel, and the step's work
     * outside the layers; {@link History#profile()} gives the table. The first tenth of the run's steps is left out as
     * warm-up. Off by default, and then it costs nothing but a null check per layer and a volatile read per kernel call.
     */
    public FitOptions profile(boolean value) {
        this.profile = value;
        if (!value) {
            this.profiler = null;
        }
        return this;
    }

    /**
     * Profiles the fit into {@code value} (with its own warm-up setting, {@link Profiler#warmUpSteps(int)}); its report is
     * also {@link History#profile()}, and stays readable from the profiler when the fit ends in an exception. Its rows
     * add up over every fit it records. Null: off.
     */
    public FitOptions profile(Profiler value) {
        this.profiler = value;
        this.profile = value != null;
        return this;
    }

    /** Whether the fit is profiled. */
    public boolean profiling() {
        return profile;
    }

    /** The profiler given to {@link #profile(Profiler)}, or null (none, or the fit makes its own). */
    Profiler givenProfiler() {
        return profiler;
    }

    int checkpointEvery() {
        return checkpointEvery;
    }

    java.nio.file.Path checkpointFile() {
        return checkpoint;
    }

    java.nio.file.Path resumeFile() {
        return resume;
    }

    /**
     * The data {@code fit} trains and validates on: {@code train} and the validation data given, or {@code train}
     * less the held-out split (Keras' {@code validation_split}: its last samples); validation null without either.
     */
    public List<Dataset> trainAndValidation(Dataset train) {
        if (validationSplit <= 0) {
            return java.util.Arrays.asList(train, validation);
        }
        if (validation != null) {
            throw new IllegalArgumentException("fit: give validation data or a validation split, not both");
        }
        return DataSplits.holdOut(train, validationSplit);
    }

    // Read by Trainer.fit and by trainers outside this package (data-parallel ones).
    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public Dataset validation() {
        return validation;
    }

    public double validationSplit() {
        return validationSplit;
    }

    public int validationBatchSize() {
        return validationBatchSize;
    }

    public List<Callback> callbacks() {
        return callbacks;
    }

    public boolean progressBar() {
        return progressBar;
    }

    public BatchTransform augmentation() {
        return augmentation;
    }
}
