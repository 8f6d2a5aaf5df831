package io.simdnet.engine.train;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar per epoch (me.tongfei:progressbar) showing the running loss and images per second. */
public final class ProgressBarCallback implements Callback {

    private int epochs;
    private int stepsPerEpoch;
    private ProgressBar bar;
    private double lossSum;
    private long samples;
    private long start;

    @Override
    public void onTrainBegin(Trainer trainer, int epochCount, int steps) {
        this.epochs = epochCount;
        this.stepsPerEpoch = steps;
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "Epoch %d/%d", epoch + 1, epochs)).setInitialMax(stepsPerEpoch)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        lossSum = 0;
        samples = 0;
        start = System.nanoTime();
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int step, double loss, int batchSize) {
        lossSum += loss * batchSize;
        samples += batchSize;
        double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
        bar.stepTo(step + 1);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  %,.0f img/s", lossSum / samples, samples / seconds));
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        bar.close();
        System.err.println(EpochLogger.format(logs, epochs));
    }
}
