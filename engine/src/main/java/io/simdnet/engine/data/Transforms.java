package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/** Small preparations of data: scaling (of a tensor in place, or of a dataset as a view), one-hot targets, flattening images for dense models. */
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

    /**
     * {@code data} seen with every input value multiplied by {@code factor}: the same samples, no copy, each value
     * computed as {@link #scale(Tensor, double)} would in place on the data's element type (F32 for bytes, so
     * {@code scaled(cifar, 1 / 255.0)} gives exactly the floats of scaling a float copy of the pixels).
     */
    public static Dataset scaled(Dataset data, double factor) {
        if (data.valueType() == DType.F32) {
            float f = (float) factor;
            // A product of two floats is exact in double, so rounding it to float gives the float product.
            return data.mapped((channel, value) -> value * f);
        }
        return data.mapped((channel, value) -> value * factor);
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
