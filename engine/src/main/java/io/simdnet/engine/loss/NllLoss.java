package io.simdnet.engine.loss;

import io.simdnet.engine.tensor.Tensor;

/** Negative log-likelihood of log-probabilities (a LogSoftmax output) against integer labels: PyTorch's {@code NLLLoss}. */
public final class NllLoss implements Loss {

    @Override
    public double compute(Tensor output, Tensor target, Tensor gradient) {
        Targets.matrix(name(), output);
        if (!Targets.isLabels(name(), output, target)) {
            throw new IllegalArgumentException(name() + ": expects integer labels of shape (" + output.batch() + ",), got " + target.shape());
        }
        int n = output.batch();
        int classes = output.shape().dim(1);
        if (gradient != null) {
            gradient.fillZero();
        }
        double total = 0;
        for (int r = 0; r < n; r++) {
            int label = Targets.label(name(), target, r, classes);
            total -= output.get(r * classes + label);
            if (gradient != null) {
                gradient.set(r * classes + label, -1.0 / n);
            }
        }
        return total / n;
    }

    @Override
    public String name() {
        return "nll";
    }
}
