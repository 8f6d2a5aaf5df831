package io.simdnet.cli;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.sweep.Trial;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;
import java.util.Locale;

/**
 * One trial of a sweep, everything it depends on but the data: the model, its hyperparameters and the seed of
 * its weights, shuffling and dropout. Running it twice on the same data gives the same metrics bit for bit,
 * whichever thread, process or machine runs it; so the local sweep and the Spark sweep run this same code, and
 * a trial that Spark retries after a lost task gives the result the first attempt would have.
 */
public record SweepTrial(int index, SweepModel model, double learningRate, int batchSize, double dropout, double weightDecay, int epochs,
        long seed) implements Trial<TrialResult> {

    private static final long serialVersionUID = 1L;

    public SweepTrial {
        if (!(learningRate > 0) || batchSize <= 0 || !(dropout >= 0 && dropout < 1) || !(weightDecay >= 0) || epochs <= 0) {
            throw new IllegalArgumentException("sweep: invalid combination lr " + learningRate + ", batch " + batchSize + ", dropout " + dropout
                    + ", weight decay " + weightDecay + (epochs <= 0 ? ", epochs " + epochs : ""));
        }
    }

    public String label() {
        return "lr " + rate(learningRate) + ", batch " + batchSize + ", dropout " + fraction(dropout) + ", wd " + rate(weightDecay);
    }

    /** A rate as the grid writes it (3e-04); with three digits when that would round it (a random search's 3.47e-04). */
    static String rate(double value) {
        String short_ = String.format(Locale.ROOT, "%.0e", value);
        return Double.parseDouble(short_) == value ? short_ : String.format(Locale.ROOT, "%.2e", value);
    }

    /** A fraction as the grid writes it (0.3), or with three decimals when that would round it. */
    static String fraction(double value) {
        String short_ = String.format(Locale.ROOT, "%.1f", value);
        return Double.parseDouble(short_) == value ? short_ : String.format(Locale.ROOT, "%.3f", value);
    }

    /** Trains the trial's model with AdamW on {@code train}, validating on {@code validation} after every epoch. */
    @Override
    public TrialResult run(Dataset train, Dataset validation) {
        Model net = model.build(dropout, seed);
        Trainer trainer = new Trainer(net, new SoftmaxCrossEntropy(), Adam.adamW(learningRate, weightDecay));
        long start = System.nanoTime();
        History history = trainer.fit(train, new FitOptions().epochs(epochs).batchSize(batchSize).seed(seed).validation(validation));
        return TrialResult.of(this, history, (System.nanoTime() - start) / 1e9);
    }

    @Override
    public TrialResult failed(Throwable error, double seconds) {
        return TrialResult.failed(this, error, seconds);
    }
}
