package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/** Small whole-tensor preparations of data: scaling, one-hot targets, flattening images for dense models. */
public final class Transforms {

    private Transforms() {
    }

    /** Multiplies every element by {@code factor}, in place (e.g. {@code 1 / 255.0} for raw pixels). */
    public static void scale(Tensor t, double factor) {
        if (t.floats() != null) {
            float f = (float) factor;
            float[] values = t.floats();
            for (int i = 0; i < t.size(); i++) {
                values[i] *= f;
            }
        } else {
            double[] values = t.doubles();
            for (int i = 0; i < t.size(); i++) {
                values[i] *= factor;
            }
        }
    }

    /** Class indices (N,) as an F32 matrix (N, classes) with a single 1 per row. */
    public static Tensor oneHot(Tensor labels, int classes) {
        if (labels.shape().rank() != 1) {
            throw new IllegalArgumentException("oneHot: labels must have shape (N,), got " + labels.shape());
        }
        if (classes <= 0) {
            throw new IllegalArgumentException("oneHot: classes = " + classes + ", expected > 0");
        }
        Tensor out = Tensor.zeros(DType.F32, labels.batch(), classes);
        for (int i = 0; i < labels.batch(); i++) {
            double label = labels.get(i);
            if (!(label >= 0 && label < classes) || label != Math.rint(label)) {
                throw new IllegalArgumentException("oneHot: label " + label + " at index " + i + ", expected an integer in 0.." + (classes - 1));
            }
            out.floats()[i * classes + (int) label] = 1f;
        }
        return out;
    }

    /** A view (N, C·H·W) of (N, C, H, W) images, or of any (N, ...) tensor; nothing is copied. */
    public static Tensor flatten(Tensor images) {
        if (images.shape().rank() < 2) {
            throw new IllegalArgumentException("flatten: expected (N, ...) with at least one dimension per sample, got " + images.shape());
        }
        return images.view(Shape.of(images.batch(), images.size() / images.batch()));
    }
}
