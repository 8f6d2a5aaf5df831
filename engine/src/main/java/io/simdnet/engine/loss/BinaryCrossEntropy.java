package io.simdnet.engine.loss;

import io.simdnet.engine.layer.Sigmoid;
import io.simdnet.engine.tensor.Tensor;

/**
 * Binary cross-entropy −[t·log p + (1 − t)·log(1 − p)], averaged over every element. {@link #ofProbabilities()}
 * takes a sigmoid output, with each log clamped at −100 as PyTorch's {@code BCELoss} does;
 * {@link #ofLogits()} takes raw scores and is stable for any size ({@code BCEWithLogitsLoss}).
 */
public final class BinaryCrossEntropy implements Loss {

    private static final double LOG_FLOOR = -100;

    private final boolean logits;

    private BinaryCrossEntropy(boolean logits) {
        this.logits = logits;
    }

    public static BinaryCrossEntropy ofProbabilities() {
        return new BinaryCrossEntropy(false);
    }

    public static BinaryCrossEntropy ofLogits() {
        return new BinaryCrossEntropy(true);
    }

    @Override
    public double compute(Tensor output, Tensor target, Tensor gradient) {
        Targets.sameShape(name(), output, target);
        int size = output.size();
        double total = 0;
        for (int i = 0; i < size; i++) {
            double t = target.get(i);
            double v = output.get(i);
            if (logits) {
                // log(1 + e^{-|v|}) + max(v, 0) − t·v, the stable form of the loss.
                total += Math.max(v, 0) - t * v + Math.log1p(Math.exp(-Math.abs(v)));
                if (gradient != null) {
                    gradient.set(i, (Sigmoid.sigmoid(v) - t) / size);
                }
            } else {
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException(name() + ": output " + v + " at index " + i + " is not a probability in [0, 1]");
                }
                total -= t * Math.max(Math.log(v), LOG_FLOOR) + (1 - t) * Math.max(Math.log(1 - v), LOG_FLOOR);
                if (gradient != null) {
                    double denominator = Math.max(v * (1 - v), 1e-12);
                    gradient.set(i, (v - t) / denominator / size);
                }
            }
        }
        return total / size;
    }

    @Override
    public String name() {
        return logits ? "binary_cross_entropy_with_logits" : "binary_cross_entropy";
    }
}
