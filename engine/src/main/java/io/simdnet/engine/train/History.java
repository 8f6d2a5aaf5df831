package io.simdnet.engine.train;

import io.simdnet.engine.profile.ProfileReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What {@code fit} returns: the loss of every training step, the logs of every epoch, and the profile if one was asked for. */
public final class History {

    private double[] stepLosses = new double[1024];
    private int steps;
    private final List<EpochLogs> epochs = new ArrayList<>();
    private ProfileReport profile;

    /** Appends one step's loss; {@code fit} calls it, and so do trainers outside this package (data-parallel ones). */
    public void addStep(double loss) {
        if (steps == stepLosses.length) {
            stepLosses = Arrays.copyOf(stepLosses, steps * 2);
        }
        stepLosses[steps++] = loss;
    }

    /** Appends one epoch's logs. */
    public void addEpoch(EpochLogs logs) {
        epochs.add(logs);
    }

    /** Continues a history saved by a checkpoint: its step losses and epochs come first. */
    void restore(double[] losses, List<EpochLogs> logs) {
        stepLosses = Arrays.copyOf(losses, Math.max(1024, losses.length * 2));
        steps = losses.length;
        epochs.clear();
        epochs.addAll(logs);
    }

    /** Steps recorded so far. */
    public int steps() {
        return steps;
    }

    /** The training loss of each step, in order. */
    public double[] stepLosses() {
        return Arrays.copyOf(stepLosses, steps);
    }

    public List<EpochLogs> epochs() {
        return List.copyOf(epochs);
    }

    /** The profile of the fit's steps ({@link FitOptions#profile}), or null when it was not profiled. */
    public ProfileReport profile() {
        return profile;
    }

    void profile(ProfileReport report) {
        this.profile = report;
    }

    public EpochLogs last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("No epoch has finished");
        }
        return epochs.get(epochs.size() - 1);
    }
}
