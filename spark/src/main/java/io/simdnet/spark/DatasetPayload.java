package io.simdnet.spark;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.io.Serializable;

/**
 * A float dataset in a form Spark can broadcast: the flat input and target arrays and their shapes (a byte dataset,
 * or a view, is gathered into the floats its batches would get). Tasks wrap the arrays again without copying and only
 * read them, so concurrent tasks in one executor share one copy.
 */
record DatasetPayload(float[] inputs, int[] inputShape, float[] targets, int[] targetShape) implements Serializable {

    private static final long serialVersionUID = 1L;

    static DatasetPayload of(Dataset data) {
        Tensor inputs = data.inputs();
        return new DatasetPayload(exact(inputs), dims(inputs.shape()), exact(data.targets()), dims(data.targets().shape()));
    }

    Dataset toDataset() {
        return Dataset.of(Tensor.of(inputs, inputShape), Tensor.of(targets, targetShape));
    }

    private static float[] exact(Tensor t) {
        if (t.floats() == null) {
            throw new IllegalArgumentException("Spark datasets are float (F32); got a " + t.dtype() + " tensor of shape " + t.shape());
        }
        return t.floats().length == t.size() ? t.floats() : java.util.Arrays.copyOf(t.floats(), t.size());
    }

    private static int[] dims(Shape shape) {
        int[] d = new int[shape.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = shape.dim(i);
        }
        return d;
    }
}
