package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/** Random 1×side×side images in [0, 1) with random labels 0-9: data only memorisation can fit, for tests of training. */
public final class RandomImages {

    private RandomImages() {
    }

    public static Dataset of(int count, int side, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.F32, count, 1, side, side);
        Tensor y = Tensor.zeros(DType.F32, count);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, rng.uniform(0, 1));
        }
        for (int i = 0; i < count; i++) {
            y.set(i, rng.nextInt(10));
        }
        return Dataset.of(x, y);
    }
}
