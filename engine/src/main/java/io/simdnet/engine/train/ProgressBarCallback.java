package io.simdnet.engine.train;

import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress within each epoch (the running loss and images per second) and one line at its end, on standard output
 * as in Keras. On a terminal it is a bar redrawn in place (me.tongfei:progressbar). Anywhere else (a log file, a
 * pipe) redrawing would leave every frame in the file, so it prints plain lines instead, as Keras' {@code verbose=2}
 * and tqdm's non-terminal mode do: at most one per {@link #LOG_INTERVAL}, none for an epoch shorter than that.
 */
public final class ProgressBarCallback implements Callback {

    /** The shortest time between two progress lines when the output is not a terminal. */
    public static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private final PrintStream out;
    private final boolean terminal;
    private final long logIntervalNanos;
    private int epochs;
    private int stepsPerEpoch;
    private int epoch;
    private ProgressBar bar;
    private double lossSum;
    private long samples;
    private long start;
    private long lastLine;

    /** On standard output: a bar when it is a terminal, plain lines otherwise. */
    public ProgressBarCallback() {
        this(System.out, isTerminal(System.console()), LOG_INTERVAL);
    }

    /** On {@code out}: a bar redrawn in place when {@code terminal}, otherwise a line at most every {@code logInterval}. */
    public ProgressBarCallback(PrintStream out, boolean terminal, Duration logInterval) {
        this.out = out;
        this.terminal = terminal;
        this.logIntervalNanos = logInterval.toNanos();
    }

    // System.console() is null unless standard input and output are both a terminal; a JDK told to use its JLine
    // console (-Djdk.console=jdk.internal.le) returns one in any case, and isTerminal() tells the truth then.
    private static boolean isTerminal(Console console) {
        return console != null && console.isTerminal();
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochCount, int steps) {
        this.epochs = epochCount;
        this.stepsPerEpoch = steps;
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epochIndex) {
        epoch = epochIndex;
        if (terminal) {
            // The library's own console consumer would write to the JVM's standard error, whatever out is.
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "Epoch %d/%d", epoch + 1, epochs)).setInitialMax(stepsPerEpoch)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate()
                    .setConsumer(new ConsoleProgressBarConsumer(out)).build();
        }
        lossSum = 0;
        samples = 0;
        start = System.nanoTime();
        lastLine = start;
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epochIndex, int step, double loss, int batchSize) {
        lossSum += loss * batchSize;
        samples += batchSize;
        long now = System.nanoTime();
        double seconds = Math.max((now - start) / 1e9, 1e-9);
        if (terminal) {
            bar.stepTo(step + 1);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  %,.0f img/s", lossSum / samples, samples / seconds));
        } else if (now - lastLine >= logIntervalNanos && step + 1 < stepsPerEpoch) {
            // The last step is left to the epoch's own line, which follows at once.
            lastLine = now;
            long left = Math.round(seconds / (step + 1) * (stepsPerEpoch - step - 1));
            out.println(String.format(Locale.ROOT, "Epoch %d/%d  step %d/%d  loss %.4f  %,.0f img/s  %d:%02d:%02d left", epoch + 1, epochs,
                    step + 1, stepsPerEpoch, lossSum / samples, samples / seconds, left / 3600, left / 60 % 60, left % 60));
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.println(EpochLogger.format(logs, epochs));
    }
}
