package io.simdnet.engine.loss;

import io.simdnet.engine.tensor.Tensor;

/** Checks shared by the losses: integer labels and same-shape targets. */
final class Targets {

    private Targets() {
    }

    /** The class index of sample {@code row}, checked to be an integer in [0, classes). */
    static int label(String loss, Tensor labels, int row, int classes) {
        double value = labels.get(row);
        int label = (int) value;
        if (label != value || label < 0 || label >= classes) {
            throw new IllegalArgumentException(loss + ": label " + value + " of sample " + row + " is not a class index in [0, " + classes + ")");
        }
        return label;
    }

    /** Throws unless targets has one label per row (shape (N,)) or the output's shape (N, C). */
    static boolean isLabels(String loss, Tensor output, Tensor target) {
        if (target.shape().rank() == 1 && target.shape().dim(0) == output.batch()) {
            return true;
        }
        if (target.shape().equals(output.shape())) {
            return false;
        }
        throw new IllegalArgumentException(loss + ": output has shape " + output.shape() + ", target " + target.shape()
                + "; expected labels (" + output.batch() + ",) or targets of the output's shape");
    }

    static void sameShape(String loss, Tensor output, Tensor target) {
        if (!target.shape().equals(output.shape())) {
            throw new IllegalArgumentException(loss + ": output has shape " + output.shape() + ", target " + target.shape() + "; expected equal shapes");
        }
    }

    static void matrix(String loss, Tensor output) {
        if (output.shape().rank() != 2) {
            throw new IllegalArgumentException(loss + ": expects outputs of shape (N, classes), got " + output.shape());
        }
    }
}
