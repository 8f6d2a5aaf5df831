package io.simdnet.engine.loss;

import io.simdnet.engine.tensor.Tensor;

/**
 * Cross-entropy of softmax(logits) against integer labels (N,) or one-hot / soft target rows (N, C), in one
 * numerically stable step: PyTorch's {@code CrossEntropyLoss}, Keras' {@code (Sparse)CategoricalCrossentropy(from_logits=True)}.
 * The gradient is (softmax − target)/N.
 */
public final class SoftmaxCrossEntropy implements Loss {

    private double[] row = new double[0];

    @Override
    public double compute(Tensor output, Tensor target, Tensor gradient) {
        Targets.matrix(name(), output);
        boolean labels = Targets.isLabels(name(), output, target);
        int n = output.batch();
        int classes = output.shape().dim(1);
        if (row.length != classes) {
            row = new double[classes];
        }
        double total = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                row[c] = output.get(r * classes + c);
                max = Math.max(max, row[c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(row[c] - max);
            }
            double logSum = max + Math.log(sum);
            int label = labels ? Targets.label(name(), target, r, classes) : -1;
            for (int c = 0; c < classes; c++) {
                double t = labels ? (c == label ? 1 : 0) : target.get(r * classes + c);
                double logP = row[c] - logSum;
                if (t != 0) {
                    total -= t * logP;
                }
                if (gradient != null) {
                    gradient.set(r * classes + c, (Math.exp(logP) - t) / n);
                }
            }
        }
        return total / n;
    }

    @Override
    public String name() {
        return "softmax_cross_entropy";
    }
}
