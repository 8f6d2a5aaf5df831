package io.simdnet.engine.loss;

import io.simdnet.engine.kernel.ParallelRange;
import io.simdnet.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cross-entropy of softmax(logits) against integer labels (N,) or one-hot / soft target rows (N, C), in one
 * numerically stable step: PyTorch's {@code CrossEntropyLoss}, Keras' {@code (Sparse)CategoricalCrossentropy(from_logits=True)}.
 * The gradient is (softmax − target)/N.
 *
 * <p>Rows are dealt to the kernel pool; each row's loss goes to its own slot and the slots are added in row order on
 * the calling thread, so the loss is the same on any number of threads. Per row: the maximum, then e = exp(x − max)
 * in double with Σe in class order, kept in the gradient row; for labels the gradient row is then one Vector API pass
 * (e/Σe)/N and a fix-up of the label's element. The float gradient is rounded a few times in float (e,
 * e/Σe, the division by N): within a few ulps of the double formula, which the float result could not hold anyway.
 */
public final class SoftmaxCrossEntropy implements Loss {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    /** An exp and a log per element and a few vector operations: an activation's {@code Math.exp}. */
    private static final long CLASS_FLOPS = 16 * ParallelRange.ELEMENT_FLOPS;

    private final Rows rows = new Rows();
    private double[] rowLoss = new double[0];
    private int[] labels = new int[0];

    @Override
    public double compute(Tensor output, Tensor target, Tensor gradient) {
        Targets.matrix(name(), output);
        boolean isLabels = Targets.isLabels(name(), output, target);
        if (gradient != null && (gradient.dtype() != output.dtype() || !gradient.shape().equals(output.shape()))) {
            throw new IllegalArgumentException(name() + ": gradient " + gradient + " does not match output " + output);
        }
        int n = output.batch();
        int classes = output.shape().dim(1);
        if (rowLoss.length < n) {
            rowLoss = new double[n];
            labels = new int[n];
        }
        if (isLabels) {
            // Checked here, in row order, so a bad label is reported the same way on any number of threads.
            for (int r = 0; r < n; r++) {
                labels[r] = Targets.label(name(), target, r, classes);
            }
        }
        rows.run(output, isLabels ? null : target, gradient, n, classes);
        double total = 0;
        for (int r = 0; r < n; r++) {
            total += rowLoss[r];
        }
        return total / n;
    }

    @Override
    public String name() {
        return "softmax_cross_entropy";
    }

    /** The rows of one call, dealt to the pool. */
    private final class Rows extends ParallelRange {
        private Tensor output;
        private Tensor soft;
        private Tensor gradient;
        private int n;
        private int classes;

        /** {@code soft} is null for labels. */
        void run(Tensor output, Tensor soft, Tensor gradient, int n, int classes) {
            this.output = output;
            this.soft = soft;
            this.gradient = gradient;
            this.n = n;
            this.classes = classes;
            try {
                run(n, 1, CLASS_FLOPS * classes);
            } finally {
                this.output = this.soft = this.gradient = null;
            }
        }

        @Override
        protected void range(int first, int end) {
            for (int r = first; r < end; r++) {
                int label = soft == null ? labels[r] : -1;
                if (output.floats() != null) {
                    rowLoss[r] = row(output.floats(), r * classes, gradient == null ? null : gradient.floats(), label);
                } else {
                    rowLoss[r] = row(output.doubles(), r * classes, gradient == null ? null : gradient.doubles(), label);
                }
            }
        }

        /** Row {@code offset / classes}: its loss; its gradient into {@code g} when g is non-null. */
        private double row(float[] x, int offset, float[] g, int label) {
            // The maximum in scalar code: a vector maximum carried through a loop was boxed (192 B a row) whenever this
            // method was compiled before its callers, and a row has only tens of classes.
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, x[offset + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double e = Math.exp((double) x[offset + c] - max);
                sum += e;
                if (g != null) {
                    g[offset + c] = (float) e;
                }
            }
            double logSum = max + Math.log(sum);
            double loss = label >= 0 ? logSum - x[offset + label] : softLoss(offset, logSum);
            if (g == null) {
                return loss;
            }
            float invSum = (float) (1 / sum);
            float count = n;
            if (label < 0) {
                for (int c = 0; c < classes; c++) {
                    g[offset + c] = (g[offset + c] * invSum - (float) soft.get(offset + c)) / count;
                }
                return loss;
            }
            float labelE = g[offset + label];
            int bound = F.loopBound(classes);
            int c = 0;
            for (; c < bound; c += LANES) {
                FloatVector.fromArray(F, g, offset + c).mul(invSum).div(count).intoArray(g, offset + c);
            }
            for (; c < classes; c++) {
                g[offset + c] = g[offset + c] * invSum / count;
            }
            g[offset + label] = (labelE * invSum - 1f) / count;
            return loss;
        }

        private double row(double[] x, int offset, double[] g, int label) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, x[offset + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double e = Math.exp(x[offset + c] - max);
                sum += e;
                if (g != null) {
                    g[offset + c] = e;
                }
            }
            double logSum = max + Math.log(sum);
            double loss = label >= 0 ? logSum - x[offset + label] : softLoss(offset, logSum);
            if (g != null) {
                for (int c = 0; c < classes; c++) {
                    double t = label >= 0 ? (c == label ? 1 : 0) : soft.get(offset + c);
                    g[offset + c] = (g[offset + c] / sum - t) / n;
                }
            }
            return loss;
        }

        /** Σ t·(log Σe − x) over the row's classes with a non-zero target, in class order. */
        private double softLoss(int offset, double logSum) {
            double loss = 0;
            for (int c = 0; c < classes; c++) {
                double t = soft.get(offset + c);
                if (t != 0) {
                    loss += t * (logSum - output.get(offset + c));
                }
            }
            return loss;
        }
    }
}
