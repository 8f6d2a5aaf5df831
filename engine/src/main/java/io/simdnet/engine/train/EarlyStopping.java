package io.simdnet.engine.train;

import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops training when a monitored metric has not improved by more than {@code minDelta} for {@code patience}
 * epochs, as Keras' EarlyStopping; optionally restores the weights of the best epoch at the end.
 */
public final class EarlyStopping implements Callback {

    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest;
    private final boolean maximise;
    private double best;
    private int waited;
    private int bestEpoch = -1;
    private List<Tensor> bestWeights;

    public EarlyStopping(String monitor, int patience, double minDelta, boolean restoreBest) {
        if (patience < 0 || !(minDelta >= 0)) {
            throw new IllegalArgumentException("EarlyStopping: patience = " + patience + ", min delta = " + minDelta + "; expected both >= 0");
        }
        new EpochLogs(0, 0, 0, 0, 0, 0, 0, 0).metric(monitor);
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBest = restoreBest;
        this.maximise = monitor.endsWith("accuracy");
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        waited = 0;
        bestEpoch = -1;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        double value = logs.metric(monitor);
        if (Double.isNaN(value)) {
            throw new IllegalStateException("EarlyStopping monitors \"" + monitor + "\", which this training does not measure");
        }
        boolean improved = maximise ? value > best + minDelta : value < best - minDelta;
        if (improved) {
            best = value;
            bestEpoch = logs.epoch();
            waited = 0;
            if (restoreBest) {
                bestWeights = snapshot(trainer);
            }
        } else if (++waited >= patience) {
            trainer.stopAfterEpoch();
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        if (restoreBest && bestWeights != null) {
            List<Parameter> all = new ArrayList<>(trainer.model().namedParameters().values());
            for (int i = 0; i < all.size(); i++) {
                all.get(i).value().copyFrom(bestWeights.get(i));
            }
        }
    }

    /** The epoch (from 0) with the best value, or -1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    private static List<Tensor> snapshot(Trainer trainer) {
        List<Tensor> copy = new ArrayList<>();
        for (Parameter p : trainer.model().namedParameters().values()) {
            copy.add(p.value().to(p.value().dtype()));
        }
        return copy;
    }
}
