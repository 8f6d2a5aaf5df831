package io.simdnet.spark;

import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.tensor.Tensor;
import java.util.List;

/**
 * Tensors seen as one flat float vector, in list order: what a synchronisation sends (parameter count × 4 bytes)
 * and what the driver averages.
 */
final class ParameterVector {

    private ParameterVector() {
    }

    static int length(List<Tensor> tensors) {
        int n = 0;
        for (Tensor t : tensors) {
            n += t.size();
        }
        return n;
    }

    static float[] gather(List<Tensor> tensors) {
        return gather(tensors, new float[length(tensors)]);
    }

    static float[] gather(List<Tensor> tensors, float[] into) {
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(floats(t), 0, into, at, t.size());
            at += t.size();
        }
        return into;
    }

    static void scatter(float[] from, List<Tensor> tensors) {
        if (from.length != length(tensors)) {
            throw new IllegalArgumentException("parameter vector of " + from.length + " floats for tensors of " + length(tensors) + " elements");
        }
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(from, at, floats(t), 0, t.size());
            at += t.size();
        }
    }

    static List<Tensor> values(List<Parameter> parameters) {
        return parameters.stream().map(Parameter::value).toList();
    }

    static List<Tensor> gradients(List<Parameter> parameters) {
        return parameters.stream().map(Parameter::gradient).toList();
    }

    /**
     * The mean of {@code vectors} element by element, summed in list order (worker 0, 1, …) in double and rounded
     * once: a fixed order, so the result does not depend on which task finished first.
     */
    static float[] mean(List<float[]> vectors) {
        int n = vectors.get(0).length;
        float[] out = new float[n];
        double scale = 1.0 / vectors.size();
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (float[] v : vectors) {
                sum += v[i];
            }
            out[i] = (float) (sum * scale);
        }
        return out;
    }

    private static float[] floats(Tensor t) {
        if (t.floats() == null) {
            throw new IllegalArgumentException("data-parallel training needs F32 models; got a " + t.dtype() + " tensor of shape " + t.shape());
        }
        return t.floats();
    }
}
